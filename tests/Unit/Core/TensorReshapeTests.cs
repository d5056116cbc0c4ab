using BnNative.Tensors;

namespace BnNative.Tests.Core;

public sealed class TensorReshapeTests
{
    [Theory]
    [InlineData(new[] { 6, 4 }, new long[] { 4, 1 })]
    [InlineData(new[] { 24 }, new long[] { 1 })]
    [InlineData(new[] { -1, 4 }, new long[] { 4, 1 })]
    [InlineData(new[] { 4, -1, 3 }, new long[] { 6, 3, 1 })]
    [InlineData(new[] { 2, 1, 12 }, new long[] { 12, 1, 1 })]
    public void ContiguousViewReshapesWithoutCopying(int[] lengths, long[] strides)
    {
        var view = TestTensors.Iota(2, 3, 4);

        var reshaped = view.Reshape(lengths);

        Assert.Equal(strides, reshaped.Shape.Strides.ToArray());
        Assert.Equal(24, reshaped.ElementCount);
        Assert.Equal(view.ToArray(), reshaped.ToArray());
        Assert.True(reshaped.Memory.Span == view.Memory.Span, "a reshape must share the buffer");
    }

    [Fact]
    public void MinusOneIsInferred()
    {
        var reshaped = TestTensors.Iota(2, 3, 4).Reshape(4, -1, 3);

        Assert.Equal([4, 2, 3], reshaped.Lengths.ToArray());
    }

    [Fact]
    public void ReshapeMergesContiguousAxesOfASlicedView()
    {
        // [4, 2, 3] sliced to columns {0, 1} of the last axis: strides [6, 3, 1], gaps after every row.
        var slice = TestTensors.Iota(4, 2, 3).Slice(2, 0, 2);

        var merged = slice.Reshape(8, 2);

        Assert.Equal([3L, 1L], merged.Shape.Strides.ToArray());
        Assert.Equal(slice.ToArray(), merged.ToArray());
        merged[7, 1] = -5;
        Assert.Equal(-5f, slice[3, 1, 1]);
    }

    [Fact]
    public void ReshapeOfSlicedViewAcrossTheGapThrows()
    {
        var slice = TestTensors.Iota(4, 2, 3).Slice(2, 0, 2);

        var error = ParamAssert.Throws<ArgumentException>("lengths", () => slice.Reshape(4, 4));
        Assert.Contains("ToContiguous", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReshapeOfPermutedViewThatCannotBeViewedThrows()
    {
        var transposed = TestTensors.Iota(2, 3).Permute(1, 0);

        var error = ParamAssert.Throws<ArgumentException>("lengths", () => transposed.Reshape(6));
        Assert.Contains("ToContiguous", error.Message, StringComparison.Ordinal);
        Assert.Equal([0f, 3f, 1f, 4f, 2f, 5f], transposed.ToContiguous().Reshape(6).ToArray());
    }

    [Fact]
    public void ReshapeOfPermutedViewThatKeepsItsAxesWorks()
    {
        var transposed = TestTensors.Iota(2, 3).Permute(1, 0);

        var withUnitAxis = transposed.Reshape(3, 1, 2);

        Assert.Equal(transposed.ToArray(), withUnitAxis.ToArray());
    }

    [Theory]
    [InlineData(new[] { 5, 5 })]
    [InlineData(new[] { -1, -1 })]
    [InlineData(new[] { -2, 12 })]
    [InlineData(new[] { -1, 5 })]
    [InlineData(new[] { 0, -1 })]
    public void ReshapeRejectsBadLengths(int[] lengths)
    {
        var view = TestTensors.Iota(2, 3, 4);

        ParamAssert.Throws<ArgumentException>("lengths", () => view.Reshape(lengths));
    }

    [Fact]
    public void EmptyViewReshapesToAnyEmptyShape()
    {
        var empty = TestTensors.Iota(2, 0, 3).Reshape(0, 6);

        Assert.Equal([0, 6], empty.Lengths.ToArray());
        Assert.Equal(0, empty.ElementCount);
    }
}
