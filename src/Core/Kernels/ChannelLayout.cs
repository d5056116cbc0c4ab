using System.Runtime.CompilerServices;
using BnNative.Tensors;

namespace BnNative.Kernels;

/// <summary>
/// The one decomposition every kernel walks: up to <see cref="MaxViews"/> views of the same lengths seen as
/// (outer, channels, inner) blocks. For outer index o, channel c and inner index i, view v's element sits at buffer
/// index <c>Offset(v) + OuterOffset(v, o) + c·ChannelStride(v) + i</c>, and the inner run is contiguous in every view.
/// </summary>
/// <remarks>
/// The reduction axes are reordered by the first view's strides (the result does not depend on their order) and
/// merged where every view allows it, so NCHW, NHWC and permuted views of either map onto two forms without copying:
/// <list type="bullet">
/// <item><description>channels outer (<see cref="Inner"/> &gt; 1): one contiguous run of <see cref="Inner"/> elements per
/// (outer, channel) pair, as in NCHW;</description></item>
/// <item><description>channels inner (<see cref="ChannelsInner"/>): one contiguous row of all channels per outer index,
/// as in NHWC and rank-2 [N, C].</description></item>
/// </list>
/// Views that fit neither form together are packed first (<see cref="PackedViews{T}"/>). The struct holds no
/// references and is built without allocating.
/// </remarks>
internal struct ChannelLayout
{
    /// <summary>Most views one layout describes (inputs and output of the widest operator).</summary>
    public const int MaxViews = 3;

    /// <summary>Most outer axes after merging; deeper views are packed.</summary>
    public const int MaxOuterRank = 8;

    private OuterLengths _outerLengths;
    private OuterStrides _outerStrides;
    private ViewLongs _offsets;
    private ViewLongs _channelStrides;

    /// <summary>Number of views described.</summary>
    public int Views { get; private set; }

    /// <summary>Number of channels.</summary>
    public int Channels { get; private set; }

    /// <summary>Length of the contiguous run of one channel (1 when the channels are inner).</summary>
    public int Inner { get; private set; }

    /// <summary>True when each outer index addresses one contiguous row of all channels in every view.</summary>
    public readonly bool ChannelsInner => Inner == 1;

    /// <summary>Number of outer axes.</summary>
    public int OuterRank { get; private set; }

    /// <summary>Number of outer indices (product of the outer lengths).</summary>
    public long OuterCount { get; private set; }

    /// <summary>Elements per channel: <c>OuterCount · Inner</c>.</summary>
    public readonly long CountPerChannel => OuterCount * Inner;

    /// <summary>Length of outer axis <paramref name="d"/> (outermost first).</summary>
    public readonly int OuterLength(int d) => _outerLengths[d];

    /// <summary>Stride of outer axis <paramref name="d"/> in view <paramref name="view"/>.</summary>
    public readonly long OuterStride(int view, int d) => _outerStrides[(view * MaxOuterRank) + d];

    /// <summary>Buffer index of outer 0, channel 0, inner 0 in view <paramref name="view"/>.</summary>
    public readonly long Offset(int view) => _offsets[view];

    /// <summary>Distance between consecutive channels in view <paramref name="view"/>.</summary>
    public readonly long ChannelStride(int view) => _channelStrides[view];

    /// <summary>
    /// Buffer index of outer index <paramref name="outer"/> (in [0, <see cref="OuterCount"/>); channel 0, inner 0) in
    /// view <paramref name="view"/>. The outermost dimension takes what is left without a division (rows of channels
    /// have only that one).
    /// </summary>
    public readonly long OuterOffset(int view, long outer)
    {
        long offset = _offsets[view];
        for (int d = OuterRank - 1; d > 0; d--)
        {
            long length = _outerLengths[d];
            offset += outer % length * _outerStrides[(view * MaxOuterRank) + d];
            outer /= length;
        }

        return OuterRank == 0 ? offset : offset + (outer * _outerStrides[view * MaxOuterRank]);
    }

    /// <summary>
    /// Decomposes <paramref name="shapes"/> (same lengths, at least one element) around <paramref name="axis"/>; false
    /// when they share no form with contiguous runs or rows (pack them with <see cref="PackedViews{T}"/>).
    /// </summary>
    public static bool TryCreate(ReadOnlySpan<TensorShape> shapes, int axis, out ChannelLayout layout)
    {
        return TryRowsOfChannels(shapes, axis, out layout) || TryAnalyze(shapes, axis, out layout);
    }

    /// <summary>
    /// The common case of <see cref="TryCreate"/> in a few steps: row-major views with the channels last (NHWC,
    /// [N, C]) are rows of channels, every outer axis merged into one, exactly the layout <see cref="TryAnalyze"/>
    /// arrives at by sorting and merging (a [32, 64] call spent a tenth of its time there).
    /// </summary>
    internal static bool TryRowsOfChannels(ReadOnlySpan<TensorShape> shapes, int axis, out ChannelLayout layout)
    {
        layout = default;
        int views = shapes.Length;
        int rank = shapes[0].Rank;
        int channels = shapes[0].Length(axis);
        if (axis == rank - 1 && channels > 1 && AllRowMajor(shapes) && shapes[0].ElementCount / channels <= int.MaxValue)
        {
            long rows = shapes[0].ElementCount / channels;
            layout.Views = views;
            layout.Channels = channels;
            layout.Inner = 1;
            layout.OuterRank = rows == 1 ? 0 : 1;
            layout.OuterCount = rows;
            layout._outerLengths[0] = rows == 1 ? 0 : (int)rows;
            for (int v = 0; v < views; v++)
            {
                layout._outerStrides[v * MaxOuterRank] = rows == 1 ? 0 : channels;
                layout._offsets[v] = shapes[v].Offset;
                layout._channelStrides[v] = 1;
            }

            return true;
        }

        return false;
    }

    /// <summary>The general decomposition behind <see cref="TryCreate"/>: reorder, merge, find runs or rows.</summary>
    internal static bool TryAnalyze(ReadOnlySpan<TensorShape> shapes, int axis, out ChannelLayout layout)
    {
        layout = default;
        int views = shapes.Length;
        int rank = shapes[0].Rank;
        int channels = shapes[0].Length(axis);
        Span<int> lengths = stackalloc int[rank];
        Span<long> strides = stackalloc long[rank * views];
        int count = 0;
        for (int a = 0; a < rank; a++)
        {
            if (a == axis || shapes[0].Length(a) == 1)
            {
                continue;
            }

            lengths[count] = shapes[0].Length(a);
            for (int v = 0; v < views; v++)
            {
                strides[(count * views) + v] = shapes[v].Stride(a);
            }

            count++;
        }

        SortByFirstStride(lengths[..count], strides[..(count * views)], views);
        Span<long> channelStride = stackalloc long[views];
        for (int v = 0; v < views; v++)
        {
            channelStride[v] = channels == 1 ? 0 : shapes[v].Stride(axis);
        }

        // Axes with a smaller stride than the channel's (in the first view) lie inside a channel's block.
        int split = count;
        if (channels > 1)
        {
            split = 0;
            while (split < count && strides[split * views] >= channelStride[0])
            {
                split++;
            }
        }

        int outerRank = Merge(lengths, strides, 0, split, views);
        int innerRank = Merge(lengths, strides, split, count, views) - split;
        MoveDown(lengths, strides, split, outerRank, innerRank, views);
        int inner = 1;
        if (innerRank == 1 && AllUnit(strides, outerRank, views))
        {
            inner = lengths[outerRank];
        }
        else if (innerRank > 0)
        {
            return false;
        }
        else if (channels == 1 && outerRank > 0 && AllUnit(strides, outerRank - 1, views))
        {
            // One channel constrains nothing: its innermost contiguous axis is the run.
            inner = lengths[outerRank - 1];
            outerRank--;
        }
        else if (channels > 1)
        {
            foreach (long stride in channelStride)
            {
                if (stride != 1)
                {
                    return false;
                }
            }
        }

        if (outerRank > MaxOuterRank)
        {
            return false;
        }

        layout.Views = views;
        layout.Channels = channels;
        layout.Inner = inner;
        layout.OuterRank = outerRank;
        long outer = 1;
        for (int d = 0; d < outerRank; d++)
        {
            layout._outerLengths[d] = lengths[d];
            outer *= lengths[d];
            for (int v = 0; v < views; v++)
            {
                layout._outerStrides[(v * MaxOuterRank) + d] = strides[(d * views) + v];
            }
        }

        layout.OuterCount = outer;
        for (int v = 0; v < views; v++)
        {
            layout._offsets[v] = shapes[v].Offset;
            layout._channelStrides[v] = channelStride[v];
        }

        return true;
    }

    private static bool AllRowMajor(ReadOnlySpan<TensorShape> shapes)
    {
        foreach (var shape in shapes)
        {
            if (!shape.IsRowMajorContiguous)
            {
                return false;
            }
        }

        return true;
    }

    private static bool AllUnit(ReadOnlySpan<long> strides, int dim, int views)
    {
        for (int v = 0; v < views; v++)
        {
            if (strides[(dim * views) + v] != 1)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Stable insertion sort of the axes by the first view's stride, largest first.</summary>
    private static void SortByFirstStride(Span<int> lengths, Span<long> strides, int views)
    {
        Span<long> held = stackalloc long[views];
        for (int i = 1; i < lengths.Length; i++)
        {
            int length = lengths[i];
            strides.Slice(i * views, views).CopyTo(held);
            int j = i - 1;
            while (j >= 0 && strides[j * views] < held[0])
            {
                lengths[j + 1] = lengths[j];
                strides.Slice(j * views, views).CopyTo(strides.Slice((j + 1) * views, views));
                j--;
            }

            lengths[j + 1] = length;
            held.CopyTo(strides.Slice((j + 1) * views, views));
        }
    }

    /// <summary>Merges neighbouring axes in [<paramref name="start"/>, <paramref name="end"/>) that every view allows; returns the new end.</summary>
    private static int Merge(Span<int> lengths, Span<long> strides, int start, int end, int views)
    {
        int last = start - 1;
        for (int d = start; d < end; d++)
        {
            bool merges = last >= start && (long)lengths[last] * lengths[d] <= int.MaxValue;
            for (int v = 0; merges && v < views; v++)
            {
                merges = strides[(last * views) + v] == strides[(d * views) + v] * lengths[d];
            }

            if (merges)
            {
                lengths[last] *= lengths[d];
                strides.Slice(d * views, views).CopyTo(strides.Slice(last * views, views));
                continue;
            }

            last++;
            lengths[last] = lengths[d];
            strides.Slice(d * views, views).CopyTo(strides.Slice(last * views, views));
        }

        return last + 1;
    }

    /// <summary>Moves the merged inner axes (at <paramref name="split"/>) right after the merged outer ones.</summary>
    private static void MoveDown(Span<int> lengths, Span<long> strides, int split, int outerRank, int innerRank, int views)
    {
        for (int i = 0; i < innerRank; i++)
        {
            lengths[outerRank + i] = lengths[split + i];
            strides.Slice((split + i) * views, views).CopyTo(strides.Slice((outerRank + i) * views, views));
        }
    }

    [InlineArray(MaxOuterRank)]
    private struct OuterLengths
    {
        private int _element;
    }

    [InlineArray(MaxOuterRank * MaxViews)]
    private struct OuterStrides
    {
        private long _element;
    }

    [InlineArray(MaxViews)]
    private struct ViewLongs
    {
        private long _element;
    }
}
