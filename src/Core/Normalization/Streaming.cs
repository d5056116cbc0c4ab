using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using BnNative.Tensors;

namespace BnNative.Normalization;

/// <summary>
/// Non-temporal (streaming) stores for outputs much larger than the caches: an ordinary store first reads the line it
/// writes, so a streamed copy moves about 1.3–1.6× fewer bytes (PERF-NOTES). Tensors that fit in cache keep ordinary
/// stores, which are faster there. Only rows of one channel (channels-first runs) stream: rows of channels
/// (channels last) measured about 2× slower with streaming stores here, so they keep ordinary ones.
/// </summary>
internal static class Streaming
{
    /// <summary>Outputs of at least this many bytes (the L3 size here) are written with streaming stores.</summary>
    public const long ThresholdBytes = 32L << 20;

    /// <summary>True when <paramref name="output"/> is large and the hardware has 32-byte streaming stores.</summary>
    public static bool Wanted<T>(TensorView<T> output)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Avx.IsSupported && Vector<byte>.Count == 32 && output.ElementCount * Unsafe.SizeOf<T>() >= ThresholdBytes;

    /// <summary>
    /// Writes <paramref name="value"/> at <paramref name="destination"/>[<paramref name="index"/>]: streamed when asked
    /// and the address is 32-byte aligned (the memory must then be pinned), ordinary otherwise.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void StoreTo<T>(this Vector<T> value, Span<T> destination, int index, bool streaming)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var slice = destination[index..];
        if (streaming && slice.Length >= Vector<T>.Count)
        {
            void* address = Unsafe.AsPointer(ref slice[0]);
            if (((nuint)address & 31) == 0)
            {
                Avx.StoreAlignedNonTemporal((float*)address, value.AsVector256().AsSingle());
                return;
            }
        }

        value.CopyTo(slice);
    }

    /// <summary>Orders the streamed stores before anything that follows (they are weakly ordered).</summary>
    public static void Fence(bool streamed)
    {
        if (streamed && Sse.IsSupported)
        {
            Sse.StoreFence();
        }
    }
}
