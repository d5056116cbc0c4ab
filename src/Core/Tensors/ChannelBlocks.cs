using System.Runtime.CompilerServices;
using System.Buffers;
using System.Numerics;

namespace BnNative.Tensors;

/// <summary>
/// The one decomposition every kernel reads: a view with channel axis k seen as (outer, channels, inner)
/// blocks. For outer index o, channel c and inner index i the element sits at buffer index
/// <c>OuterOffset(o) + c·ChannelStride + i</c>: the inner run is contiguous. When the channels are innermost
/// (NHWC, rank-2 [N, C]) <see cref="Inner"/> is 1 and <see cref="ChannelStride"/> is 1, so every outer index
/// addresses one contiguous row of channels.
/// </summary>
/// <remarks>
/// The reduction axes are reordered by stride (the reduction does not depend on their order) and merged where
/// contiguous, so NCHW, NHWC and permuted views of either map onto the same two forms without copying.
/// A view that fits neither form (for example a slice along the innermost reduction axis of a channels-first
/// tensor, or a broadcast axis) is packed into a row-major buffer rented from <see cref="ArrayPool{T}"/>, which
/// <see cref="Dispose"/> returns. Kernels never special-case NCHW or NHWC.
/// </remarks>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class ChannelBlocks<T> : IDisposable
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly int[] _outerLengths;
    private readonly long[] _outerStrides;
    private T[]? _rented;

    private ChannelBlocks(
        ReadOnlyMemory<T> memory, long offset, int channels, long channelStride, int inner,
        int[] outerLengths, long[] outerStrides, T[]? rented)
    {
        Memory = memory;
        Offset = offset;
        Channels = channels;
        ChannelStride = channelStride;
        Inner = inner;
        _outerLengths = outerLengths;
        _outerStrides = outerStrides;
        _rented = rented;
        long outer = 1;
        foreach (int length in outerLengths)
        {
            outer *= length;
        }

        OuterCount = outer;
    }

    /// <summary>The buffer the blocks address (the view's memory, or the packed copy).</summary>
    public ReadOnlyMemory<T> Memory { get; }

    /// <summary>Buffer index of outer 0, channel 0, inner 0.</summary>
    public long Offset { get; }

    /// <summary>Number of channels.</summary>
    public int Channels { get; }

    /// <summary>Distance between consecutive channels, in elements.</summary>
    public long ChannelStride { get; }

    /// <summary>Length of each contiguous inner run (1 when the channels are innermost).</summary>
    public int Inner { get; }

    /// <summary>Number of outer indices (product of the outer lengths).</summary>
    public long OuterCount { get; }

    /// <summary>Elements that share one channel: <c>OuterCount · Inner</c>.</summary>
    public long CountPerChannel => OuterCount * Inner;

    /// <summary>True when every outer index addresses one contiguous row of all channels (Inner = 1, ChannelStride = 1).</summary>
    public bool ChannelsInnermost => Inner == 1 && (ChannelStride == 1 || Channels == 1);

    /// <summary>True when the view was copied into a pooled buffer because no stride order fit.</summary>
    public bool IsPacked => _rented is not null;

    /// <summary>Lengths of the outer axes, outermost first (after reordering and merging).</summary>
    public ReadOnlySpan<int> OuterLengths => _outerLengths;

    /// <summary>Strides of the outer axes, outermost first.</summary>
    public ReadOnlySpan<long> OuterStrides => _outerStrides;

    /// <summary>
    /// Decomposes <paramref name="view"/> around <paramref name="channelAxis"/> (already resolved to [0, rank)).
    /// Dispose the result to return a packed buffer to the pool.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="view"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="channelAxis"/> is outside the view.</exception>
    public static ChannelBlocks<T> Create(TensorView<T> view, int channelAxis)
    {
        ArgumentNullException.ThrowIfNull(view);
        if ((uint)channelAxis >= (uint)view.Rank)
        {
            throw new ArgumentOutOfRangeException(nameof(channelAxis), channelAxis, $"channelAxis must be in [0, {view.Rank - 1}].");
        }

        return TryCreateWithoutCopy(view.Memory, view.Shape, channelAxis) ?? CreatePacked(view, channelAxis);
    }

    /// <summary>Buffer index of the first element of outer index <paramref name="outer"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public long OuterOffset(long outer)
    {
        long offset = Offset;
        for (int d = _outerLengths.Length - 1; d >= 0; d--)
        {
            long length = _outerLengths[d];
            offset += outer % length * _outerStrides[d];
            outer /= length;
        }

        return offset;
    }

    /// <summary>A cursor that walks the outer indices from <paramref name="outer"/> on, yielding buffer offsets.</summary>
    public OuterCursor CursorAt(long outer) => new(_outerLengths, _outerStrides, outer, OuterOffset(outer));

    /// <summary>Returns a packed buffer to the pool. The blocks must not be used afterwards.</summary>
    public void Dispose()
    {
        var rented = Interlocked.Exchange(ref _rented, null);
        if (rented is not null)
        {
            ArrayPool<T>.Shared.Return(rented);
        }
    }

    private static ChannelBlocks<T>? TryCreateWithoutCopy(ReadOnlyMemory<T> memory, TensorShape shape, int channelAxis)
    {
        int channels = shape.Length(channelAxis);
        long channelStride = shape.Stride(channelAxis);
        var dims = new List<(int Length, long Stride)>();
        for (int axis = 0; axis < shape.Rank; axis++)
        {
            if (axis != channelAxis && shape.Length(axis) != 1)
            {
                dims.Add((shape.Length(axis), shape.Stride(axis)));
            }
        }

        // Reduction order is free: walk memory from the largest stride down.
        dims.Sort((a, b) => b.Stride.CompareTo(a.Stride));
        if (channels == 1)
        {
            // The channel axis constrains nothing; put it outermost.
            channelStride = 0;
        }

        var outer = Merge(dims.Where(d => channels == 1 || d.Stride >= channelStride));
        var inner = Merge(dims.Where(d => channels != 1 && d.Stride < channelStride));
        int innerLength = 1;
        if (channels == 1 && outer.Count > 0 && outer[^1].Stride == 1)
        {
            innerLength = outer[^1].Length;
            outer.RemoveAt(outer.Count - 1);
        }
        else if (inner.Count == 1 && inner[0].Stride == 1)
        {
            innerLength = inner[0].Length;
        }
        else if (inner.Count != 0 || (channels > 1 && channelStride != 1))
        {
            return null;
        }

        return new ChannelBlocks<T>(
            memory, shape.Offset, channels, channelStride, innerLength,
            outer.Select(d => d.Length).ToArray(), outer.Select(d => d.Stride).ToArray(), rented: null);
    }

    private static List<(int Length, long Stride)> Merge(IEnumerable<(int Length, long Stride)> sortedDims)
    {
        var merged = new List<(int Length, long Stride)>();
        foreach (var dim in sortedDims)
        {
            if (merged.Count > 0 && merged[^1].Stride == dim.Stride * dim.Length
                && (long)merged[^1].Length * dim.Length <= int.MaxValue)
            {
                merged[^1] = (merged[^1].Length * dim.Length, dim.Stride);
            }
            else
            {
                merged.Add(dim);
            }
        }

        return merged;
    }

    private static ChannelBlocks<T> CreatePacked(TensorView<T> view, int channelAxis)
    {
        int count = checked((int)view.ElementCount);
        var rented = ArrayPool<T>.Shared.Rent(count);
        TensorCopy.ToRowMajor<T>(view.Memory.Span, view.Shape, rented);
        var shape = TensorShape.RowMajor(view.Lengths);
        var blocks = TryCreateWithoutCopy(rented.AsMemory(0, count), shape, channelAxis)
            ?? throw new InvalidOperationException("A row-major shape always decomposes; this is a bug.");
        return new ChannelBlocks<T>(
            blocks.Memory, blocks.Offset, blocks.Channels, blocks.ChannelStride, blocks.Inner,
            blocks._outerLengths, blocks._outerStrides, rented);
    }
}
