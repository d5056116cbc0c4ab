using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace BnNative.Kernels;

/// <summary>
/// Vector stores for the element-wise kernels: ordinary, or non-temporal (streaming) for outputs much larger than the
/// caches, where an ordinary store first reads the line it writes (PERF-NOTES: a streamed copy moves 1.3–1.6× fewer
/// bytes). Tensors that fit in cache keep ordinary stores, which are faster there.
/// </summary>
internal static unsafe class VectorStore
{
    /// <summary>Outputs of at least this many bytes (the L3 size of the machines measured) are streamed.</summary>
    public const long StreamingThresholdBytes = 32L << 20;

    /// <summary>True when the hardware has aligned non-temporal stores of <see cref="Vector{T}"/>'s width.</summary>
    public static bool CanStream =>
        Vector<byte>.Count switch
        {
            64 => Avx512F.IsSupported,
            32 => Avx.IsSupported,
            16 => Sse.IsSupported,
            _ => false,
        };

    /// <summary>True when an output of <paramref name="bytes"/> bytes should be streamed.</summary>
    public static bool ShouldStream(long bytes) => CanStream && bytes >= StreamingThresholdBytes;

    /// <summary>Bytes of one vector (the alignment a streamed store needs).</summary>
    public static int VectorBytes => Vector<byte>.Count;

    /// <summary>Stores <paramref name="value"/> at <paramref name="destination"/>, non-temporally (aligned address required) when <paramref name="streaming"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store<T>(Vector<T> value, T* destination, bool streaming)
        where T : unmanaged
    {
        if (streaming)
        {
            if (Vector<byte>.Count == 64)
            {
                Avx512F.StoreAlignedNonTemporal((float*)destination, value.AsVector512().AsSingle());
                return;
            }

            if (Vector<byte>.Count == 32)
            {
                Avx.StoreAlignedNonTemporal((float*)destination, value.AsVector256().AsSingle());
                return;
            }

            Sse.StoreAlignedNonTemporal((float*)destination, value.AsVector128().AsSingle());
            return;
        }

        value.Store(destination);
    }

    /// <summary>Orders streamed stores before anything that follows (they are weakly ordered).</summary>
    public static void Fence(bool streamed)
    {
        if (streamed && Sse.IsSupported)
        {
            Sse.StoreFence();
        }
    }
}

/// <summary>
/// The store kind of a kernel loop, known at compile time (a loop generic over it has no per-vector test of a flag).
/// </summary>
internal interface IStoreKind
{
    /// <summary>True for non-temporal (streamed) stores, false for ordinary ones.</summary>
    static abstract bool Streaming { get; }
}

/// <summary>Non-temporal stores (outputs of at least <see cref="VectorStore.StreamingThresholdBytes"/>).</summary>
internal readonly struct StreamedStores : IStoreKind
{
    public static bool Streaming => true;
}

/// <summary>Ordinary stores (outputs that fit in cache).</summary>
internal readonly struct CachedStores : IStoreKind
{
    public static bool Streaming => false;
}
