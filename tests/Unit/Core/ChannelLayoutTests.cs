using BnNative.Kernels;
using BnNative.Tensors;

namespace BnNative.Tests.Core;

public sealed class ChannelLayoutTests
{
    /// <summary>
    /// The form each layout maps to. NCHW: one run of H·W per (batch, channel); NHWC and rank-2 [N, C]: rows of
    /// channels; an NHWC-logical view of NCHW memory: the NCHW form, not a copy; a slice along W of NCHW: no form
    /// (H and W no longer merge), so it is packed; one channel: a single run.
    /// </summary>
    /// <summary>
    /// The shortcut for row-major views with the channels last gives exactly the general analysis's layout: ranks 2 to
    /// 5, length-1 axes anywhere, a single row, one to three views, and views that start at an offset (a batch slice).
    /// </summary>
    [Theory]
    [InlineData(new[] { 32, 64 })]
    [InlineData(new[] { 1, 64 })]
    [InlineData(new[] { 4, 1, 1, 3 })]
    [InlineData(new[] { 1, 1, 1, 8 })]
    [InlineData(new[] { 2, 3, 4, 5 })]
    [InlineData(new[] { 3, 1, 5, 1, 2 })]
    public void RowsOfChannelsShortcutIsTheGeneralLayout(int[] lengths)
    {
        int axis = lengths.Length - 1;
        var whole = Tensor<float>.Zeros([lengths[0] + 2, .. lengths[1..]]).View;
        var shapes = new[]
        {
            Tensor<float>.Zeros(lengths).View.Shape,
            whole.Slice(0, 1, lengths[0]).Shape,
            whole.Slice(0, 2, lengths[0]).Shape,
        };
        for (int views = 1; views <= 3; views++)
        {
            Assert.True(ChannelLayout.TryRowsOfChannels(shapes.AsSpan(0, views), axis, out var fast));
            Assert.True(ChannelLayout.TryAnalyze(shapes.AsSpan(0, views), axis, out var general));
            Assert.Equal(general.Views, fast.Views);
            Assert.Equal(general.Channels, fast.Channels);
            Assert.Equal(general.Inner, fast.Inner);
            Assert.Equal(general.OuterRank, fast.OuterRank);
            Assert.Equal(general.OuterCount, fast.OuterCount);
            for (int v = 0; v < views; v++)
            {
                Assert.Equal(general.Offset(v), fast.Offset(v));
                Assert.Equal(general.ChannelStride(v), fast.ChannelStride(v));
                for (int d = 0; d < general.OuterRank; d++)
                {
                    Assert.Equal(general.OuterLength(d), fast.OuterLength(d));
                    Assert.Equal(general.OuterStride(v, d), fast.OuterStride(v, d));
                }

                for (long outer = 0; outer < general.OuterCount; outer += Math.Max(1, general.OuterCount / 7))
                {
                    Assert.Equal(general.OuterOffset(v, outer), fast.OuterOffset(v, outer));
                }
            }
        }
    }

    [Fact]
    public void RowsOfChannelsShortcutLeavesOtherFormsToTheAnalysis()
    {
        var nchw = Tensor<float>.Zeros(2, 3, 4, 5).View;
        Assert.False(ChannelLayout.TryRowsOfChannels([nchw.Shape], 1, out _));
        Assert.False(ChannelLayout.TryRowsOfChannels([nchw.Permute(0, 2, 3, 1).Shape], 3, out _));
        Assert.False(ChannelLayout.TryRowsOfChannels([Tensor<float>.Zeros(6, 1).View.Shape], 1, out _));
    }

    [Theory]
    [InlineData("nchw", 20, 20, new[] { 2 }, new long[] { 60 }, 0, true)]
    [InlineData("nhwc", 1, 1, new[] { 40 }, new long[] { 3 }, 0, true)]
    [InlineData("nchw-as-nhwc", 20, 20, new[] { 2 }, new long[] { 60 }, 0, true)]
    [InlineData("nchw-width-sliced", 0, 0, new int[0], new long[0], 0, false)]
    [InlineData("nhwc-sliced", 1, 1, new[] { 8, 3 }, new long[] { 15, 3 }, 3, true)]
    [InlineData("nchw-batch-sliced", 4, 4, new[] { 3 }, new long[] { 12 }, 12, true)]
    [InlineData("rank2", 1, 1, new[] { 5 }, new long[] { 3 }, 0, true)]
    [InlineData("rank2-transposed", 5, 5, new int[0], new long[0], 0, true)]
    [InlineData("rank2-channels-first", 3, 3, new int[0], new long[0], 0, true)]
    [InlineData("one-channel", 0, 24, new int[0], new long[0], 0, true)]
    [InlineData("broadcast-batch", 0, 0, new int[0], new long[0], 0, false)]
    public void PicksTheExpectedForm(
        string name, long channelStride, int inner, int[] outerLengths, long[] outerStrides, long offset, bool fits)
    {
        var (view, axis) = Case(name);

        bool created = ChannelLayout.TryCreate([view.Shape], axis, out var layout);

        Assert.Equal(fits, created);
        if (!fits)
        {
            return;
        }

        Assert.Equal(view.Lengths[axis], layout.Channels);
        Assert.Equal(channelStride, layout.ChannelStride(0));
        Assert.Equal(inner, layout.Inner);
        Assert.Equal(outerLengths, Enumerable.Range(0, layout.OuterRank).Select(layout.OuterLength).ToArray());
        Assert.Equal(outerStrides, Enumerable.Range(0, layout.OuterRank).Select(d => layout.OuterStride(0, d)).ToArray());
        Assert.Equal(offset, layout.Offset(0));
        Assert.Equal(inner == 1, layout.ChannelsInner);
        Assert.Equal(view.ElementCount / layout.Channels, layout.CountPerChannel);
    }

    [Fact]
    public void ViewsWithDifferentMemoryOrdersShareNoLayout()
    {
        var nchw = TestTensors.Iota(2, 3, 4, 5).Permute(0, 2, 3, 1);
        var nhwc = TestTensors.Iota(2, 4, 5, 3);

        Assert.False(ChannelLayout.TryCreate([nchw.Shape, nhwc.Shape], 3, out _));
        Assert.True(ChannelLayout.TryCreate([nchw.Shape, nchw.Shape], 3, out _));
    }

    [Fact]
    public void EachViewKeepsItsOwnOffsetsAndStrides()
    {
        // The same NCHW-ordered lengths, one a slice of a larger batch: one layout, per-view offsets.
        var whole = TestTensors.Iota(5, 3, 2, 2).Slice(0, 1, 3);
        var packed = TestTensors.Iota(3, 3, 2, 2);

        Assert.True(ChannelLayout.TryCreate([whole.Shape, packed.Shape], 1, out var layout));

        Assert.Equal(4, layout.Inner);
        Assert.Equal(12, layout.Offset(0));
        Assert.Equal(0, layout.Offset(1));
        Assert.Equal(12, layout.OuterStride(0, 0));
        Assert.Equal(12, layout.OuterStride(1, 0));
        Assert.Equal(4, layout.ChannelStride(1));
    }

    [Theory]
    [InlineData("nhwc-sliced", 0)]
    [InlineData("nhwc-sliced", 5)]
    [InlineData("nhwc-sliced", 23)]
    [InlineData("nchw-batch-sliced", 0)]
    [InlineData("ncdhw-sliced", 1)]
    public void CursorWalksTheSameOffsetsAsOuterOffset(string name, long start)
    {
        var (original, axis) = Case(name);
        using var packed = new PackedViews<float>([original], lastIsOutput: false);
        Assert.True(ChannelLayout.TryCreate([packed.Views[0].Shape], axis, out var layout));

        var cursor = new OuterCursor(layout, start);
        for (long o = start; o < layout.OuterCount; o++)
        {
            Assert.Equal(layout.OuterOffset(0, o), cursor.Offset(0));
            cursor.Advance(1);
        }
    }

    [Theory]
    [InlineData("nchw")]
    [InlineData("nhwc")]
    [InlineData("nchw-as-nhwc")]
    [InlineData("nchw-width-sliced")]
    [InlineData("nhwc-sliced")]
    [InlineData("nchw-batch-sliced")]
    [InlineData("ncdhw-sliced")]
    [InlineData("rank2")]
    [InlineData("rank2-transposed")]
    [InlineData("rank2-channels-first")]
    [InlineData("one-channel")]
    [InlineData("broadcast-batch")]
    public void LayoutAddressesExactlyTheElementsOfEachChannel(string name)
    {
        var (original, axis) = Case(name);
        using var packed = new PackedViews<float>([original], lastIsOutput: false);
        var view = ChannelLayout.TryCreate([original.Shape], axis, out _) ? original : packed.Views[0];
        Assert.True(ChannelLayout.TryCreate([view.Shape], axis, out var layout));

        int channels = view.Lengths[axis];
        var memory = view.Memory.Span;
        for (int c = 0; c < channels; c++)
        {
            var fromLayout = new List<float>();
            for (long o = 0; o < layout.OuterCount; o++)
            {
                for (int i = 0; i < layout.Inner; i++)
                {
                    fromLayout.Add(memory[checked((int)(layout.OuterOffset(0, o) + (c * layout.ChannelStride(0)) + i))]);
                }
            }

            fromLayout.Sort();
            Assert.Equal(ChannelValues(original, axis, c), fromLayout);
        }
    }

    [Fact]
    public void PackedOutputIsWrittenBackThroughTheView()
    {
        var buffer = new float[120];
        var output = TensorView<float>.Create(buffer, 2, 3, 4, 5).Slice(3, 1, 3);
        var source = TestTensors.Iota(2, 3, 4, 3);

        using (var packed = new PackedViews<float>([source, output], lastIsOutput: true))
        {
            source.CopyTo(packed.Views[1].Memory.Span);
            packed.CopyOutput();
        }

        Assert.Equal(source.ToArray(), output.ToArray());
        Assert.Equal(0f, buffer[0]);
    }

    private static (TensorView<float> View, int Axis) Case(string name) => name switch
    {
        "nchw" => (TestTensors.Iota(2, 3, 4, 5), 1),
        "nhwc" => (TestTensors.Iota(2, 4, 5, 3), 3),
        "nchw-as-nhwc" => (TestTensors.Iota(2, 3, 4, 5).Permute(0, 2, 3, 1), 3),
        "nchw-width-sliced" => (TestTensors.Iota(2, 3, 4, 5).Slice(3, 1, 3), 1),
        "nhwc-sliced" => (TestTensors.Iota(2, 4, 5, 3).Slice(2, 1, 3), 3),
        "nchw-batch-sliced" => (TestTensors.Iota(5, 3, 2, 2).Slice(0, 1, 3), 1),
        "ncdhw-sliced" => (TestTensors.Iota(2, 2, 3, 4, 2).Slice(2, 1, 2).Slice(3, 0, 3), 1),
        "rank2" => (TestTensors.Iota(5, 3), 1),
        "rank2-transposed" => (TestTensors.Iota(3, 5).Permute(1, 0), 1),
        "rank2-channels-first" => (TestTensors.Iota(5, 3), 0),
        "one-channel" => (TestTensors.Iota(4, 1, 2, 3), 1),
        "broadcast-batch" => (new TensorView<float>(TestTensors.Iota(4).Memory, new TensorShape([3, 4], [0, 1])), 1),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown case"),
    };

    /// <summary>The values of channel <paramref name="channel"/> read through the logical (row-major) order, sorted.</summary>
    private static List<float> ChannelValues(TensorView<float> view, int axis, int channel)
    {
        long innerSpan = 1;
        for (int a = axis + 1; a < view.Rank; a++)
        {
            innerSpan *= view.Lengths[a];
        }

        var all = view.ToArray();
        var values = new List<float>();
        for (long k = 0; k < all.Length; k++)
        {
            if (k / innerSpan % view.Lengths[axis] == channel)
            {
                values.Add(all[k]);
            }
        }

        values.Sort();
        return values;
    }
}
