using BnNative.Tensors;

namespace BnNative.Tests.Core;

public sealed class ChannelBlocksTests
{
    /// <summary>
    /// The form each layout maps to. NCHW: one run of H·W per (batch, channel); NHWC and rank-2 [N, C]: rows of
    /// channels; an NHWC-logical view of NCHW memory: the NCHW form, not a copy; a slice along W of NCHW: packed
    /// (H and W no longer merge), then runs over the packed row-major copy; one channel: a single run.
    /// </summary>
    [Theory]
    [InlineData("nchw", 20, 20, new[] { 2 }, new long[] { 60 }, 0, false)]
    [InlineData("nhwc", 1, 1, new[] { 40 }, new long[] { 3 }, 0, false)]
    [InlineData("nchw-as-nhwc", 20, 20, new[] { 2 }, new long[] { 60 }, 0, false)]
    [InlineData("nchw-width-sliced", 12, 12, new[] { 2 }, new long[] { 36 }, 0, true)]
    [InlineData("nhwc-sliced", 1, 1, new[] { 8, 3 }, new long[] { 15, 3 }, 3, false)]
    [InlineData("nchw-batch-sliced", 4, 4, new[] { 3 }, new long[] { 12 }, 12, false)]
    [InlineData("rank2", 1, 1, new[] { 5 }, new long[] { 3 }, 0, false)]
    [InlineData("rank2-transposed", 5, 5, new int[0], new long[0], 0, false)]
    [InlineData("rank2-channels-first", 3, 3, new int[0], new long[0], 0, false)]
    [InlineData("one-channel", 0, 24, new int[0], new long[0], 0, false)]
    public void PicksTheExpectedForm(
        string name, long channelStride, int inner, int[] outerLengths, long[] outerStrides, long offset, bool packed)
    {
        var (view, axis) = Case(name);

        using var blocks = ChannelBlocks<float>.Create(view, axis);

        Assert.Equal(view.Lengths[axis], blocks.Channels);
        Assert.Equal(channelStride, blocks.ChannelStride);
        Assert.Equal(inner, blocks.Inner);
        Assert.Equal(outerLengths, blocks.OuterLengths.ToArray());
        Assert.Equal(outerStrides, blocks.OuterStrides.ToArray());
        Assert.Equal(offset, blocks.Offset);
        Assert.Equal(packed, blocks.IsPacked);
        Assert.Equal(inner == 1 && (channelStride == 1 || blocks.Channels == 1), blocks.ChannelsInnermost);
        Assert.Equal(view.ElementCount / blocks.Channels, blocks.CountPerChannel);
    }

    [Fact]
    public void PackedCopyIsTheViewInRowMajorOrder()
    {
        var slice = TestTensors.Iota(2, 3, 4, 5).Slice(3, 1, 3);

        using var blocks = ChannelBlocks<float>.Create(slice, 1);

        Assert.True(blocks.IsPacked);
        Assert.Equal(slice.ToArray(), blocks.Memory.Span[..72].ToArray());
    }

    [Fact]
    public void SliceAlongWidthOfNhwcKeepsTwoOuterAxes()
    {
        var slice = TestTensors.Iota(2, 4, 5, 3).Slice(2, 1, 3);

        using var blocks = ChannelBlocks<float>.Create(slice, 3);

        for (int n = 0, o = 0; n < 2; n++)
        {
            for (int h = 0; h < 4; h++)
            {
                for (int w = 0; w < 3; w++, o++)
                {
                    Assert.Equal(slice.Shape.IndexOf([n, h, w, 0]), blocks.OuterOffset(o));
                }
            }
        }
    }

    [Theory]
    [InlineData("nhwc-sliced", 0)]
    [InlineData("nhwc-sliced", 5)]
    [InlineData("nhwc-sliced", 23)]
    [InlineData("nchw-batch-sliced", 0)]
    [InlineData("ncdhw-sliced", 1)]
    public void CursorWalksTheSameOffsetsAsOuterOffset(string name, long start)
    {
        var (view, axis) = Case(name);
        using var blocks = ChannelBlocks<float>.Create(view, axis);

        var cursor = blocks.CursorAt(start);
        for (long o = start; o < blocks.OuterCount; o++)
        {
            Assert.Equal(blocks.OuterOffset(o), cursor.Offset);
            cursor.MoveNext();
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
    public void BlocksAddressExactlyTheElementsOfEachChannel(string name)
    {
        var (view, axis) = Case(name);
        using var blocks = ChannelBlocks<float>.Create(view, axis);

        int channels = view.Lengths[axis];
        Assert.Equal(channels, blocks.Channels);
        Assert.Equal(view.ElementCount / channels, blocks.CountPerChannel);
        var memory = blocks.Memory.Span;
        for (int c = 0; c < channels; c++)
        {
            var fromBlocks = new List<float>();
            for (long o = 0; o < blocks.OuterCount; o++)
            {
                for (int i = 0; i < blocks.Inner; i++)
                {
                    fromBlocks.Add(memory[checked((int)(blocks.OuterOffset(o) + (c * blocks.ChannelStride) + i))]);
                }
            }

            fromBlocks.Sort();
            Assert.Equal(ChannelValues(view, axis, c), fromBlocks);
        }
    }

    [Fact]
    public void DisposeReturnsThePackedBufferOnce()
    {
        var blocks = ChannelBlocks<float>.Create(TestTensors.Iota(2, 3, 4, 5).Slice(3, 0, 2), 1);
        Assert.True(blocks.IsPacked);

        blocks.Dispose();
        blocks.Dispose();

        Assert.False(blocks.IsPacked);
    }

    [Fact]
    public void CreateRejectsBadArguments()
    {
        var view = TestTensors.Iota(2, 3);

        ParamAssert.Throws<ArgumentNullException>("view", () => ChannelBlocks<float>.Create(null!, 0));
        ParamAssert.Throws<ArgumentOutOfRangeException>("channelAxis", () => ChannelBlocks<float>.Create(view, 2));
        ParamAssert.Throws<ArgumentOutOfRangeException>("channelAxis", () => ChannelBlocks<float>.Create(view, -1));
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
