using System.Numerics;
using System.Runtime.InteropServices;

namespace BnNative.Native.Blas;

/// <summary>
/// A scratch buffer of native memory aligned to 64 bytes (a cache line, the widest vector), freed on dispose.
/// </summary>
/// <remarks>
/// BLAS kernels peel leading elements until their loads are aligned, so the order in which they sum a vector depends
/// on the address's alignment (seen with OpenBLAS's Prescott kernels: the same dot product in a pooled managed array,
/// whose alignment changes from call to call, rounded differently). A fixed alignment keeps each call's summation
/// order a function of the shape alone, so the CBLAS moments stay bitwise identical across thread counts and calls.
/// </remarks>
internal sealed unsafe class AlignedScratch<T> : IDisposable
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private const int Alignment = 64;

    /// <summary>Allocates <paramref name="length"/> uninitialized elements.</summary>
    public AlignedScratch(int length)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        Length = length;
        Pointer = (T*)NativeMemory.AlignedAlloc((nuint)length * (nuint)sizeof(T), Alignment);
    }

    /// <summary>The first element (64-byte aligned).</summary>
    public T* Pointer { get; private set; }

    /// <summary>The number of elements.</summary>
    public int Length { get; }

    /// <summary>The whole buffer.</summary>
    public Span<T> Span => Pointer is null ? throw new ObjectDisposedException(nameof(AlignedScratch<T>)) : new Span<T>(Pointer, Length);

    /// <inheritdoc />
    public void Dispose()
    {
        if (Pointer is not null)
        {
            NativeMemory.AlignedFree(Pointer);
            Pointer = null;
        }
    }
}
