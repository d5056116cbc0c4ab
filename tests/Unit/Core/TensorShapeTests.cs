using BnNative.Tensors;

namespace BnNative.Tests.Core;

public sealed class TensorShapeTests
{
    [Fact]
    public void RowMajorHasLastAxisFastest()
    {
        var shape = TensorShape.RowMajor(2, 3, 4);

        Assert.Equal([12L, 4L, 1L], shape.Strides.ToArray());
        Assert.Equal(3, shape.Rank);
        Assert.Equal(24, shape.ElementCount);
        Assert.Equal(0, shape.Offset);
        Assert.Equal(23, shape.MaxOffset);
        Assert.True(shape.IsRowMajorContiguous);
        Assert.True(shape.IsDense);
        Assert.Equal([12L, 4L, 1L], shape.RowMajorStrides());
    }

    [Fact]
    public void MaxOffsetAddsOffsetAndTheFarthestCorner()
    {
        var shape = new TensorShape([2, 3], [10, 2], offset: 5);

        Assert.Equal(6, shape.ElementCount);
        Assert.Equal(5 + 10 + 4, shape.MaxOffset);
        Assert.False(shape.IsRowMajorContiguous);
        Assert.False(shape.IsDense);
    }

    [Fact]
    public void EmptyShapeHasNoElementsAndMaxOffsetBeforeOffset()
    {
        var shape = new TensorShape([3, 0, 2], [7, 9, 1], offset: 4);

        Assert.Equal(0, shape.ElementCount);
        Assert.Equal(3, shape.MaxOffset);
    }

    [Fact]
    public void AxesOfLengthOneDoNotBreakContiguity()
    {
        var shape = new TensorShape([2, 1, 3], [3, 99, 1]);

        Assert.True(shape.IsRowMajorContiguous);
        Assert.True(shape.IsDense);
    }

    [Fact]
    public void PermutedContiguousIsDenseButNotRowMajor()
    {
        var shape = new TensorShape([3, 2], [1, 3]);

        Assert.False(shape.IsRowMajorContiguous);
        Assert.True(shape.IsDense);
    }

    [Theory]
    [InlineData(0, 1)] // broadcast
    [InlineData(1, 1)] // overlapping
    [InlineData(3, 1)] // gap after each row
    public void OverlapOrGapIsNotDense(long rowStride, long columnStride)
    {
        var shape = new TensorShape([2, 2], [rowStride, columnStride]);

        Assert.False(shape.IsDense);
        Assert.False(shape.IsRowMajorContiguous);
    }

    [Fact]
    public void IndexOfAddsOffsetAndStrides()
    {
        var shape = new TensorShape([2, 3, 4], [100, 10, 1], offset: 7);

        Assert.Equal(7 + 100 + 20 + 3, shape.IndexOf([1, 2, 3]));
        Assert.Equal(7, shape.IndexOf([0, 0, 0]));
    }

    [Fact]
    public void IndexOfRejectsWrongCountAndOutOfRange()
    {
        var shape = TensorShape.RowMajor(2, 3);

        ParamAssert.Throws<ArgumentException>("indices", () => shape.IndexOf([1]));
        Assert.Throws<IndexOutOfRangeException>(() => shape.IndexOf([2, 0]));
        Assert.Throws<IndexOutOfRangeException>(() => shape.IndexOf([0, -1]));
    }

    [Fact]
    public void ConstructorRejectsBadInputs()
    {
        ParamAssert.Throws<ArgumentOutOfRangeException>("lengths", () => new TensorShape([2, -1], [1, 1]));
        ParamAssert.Throws<ArgumentOutOfRangeException>("strides", () => new TensorShape([2, 2], [2, -1]));
        ParamAssert.Throws<ArgumentOutOfRangeException>("offset", () => new TensorShape([2], [1], offset: -1));
        ParamAssert.Throws<ArgumentException>("strides", () => new TensorShape([2, 2], [1]));
        ParamAssert.Throws<ArgumentOutOfRangeException>("lengths", () => TensorShape.RowMajor(3, -2));
    }

    [Fact]
    public void ConstructorRejectsShapesBeyondA64BitIndex()
    {
        var lengths = new[] { int.MaxValue, int.MaxValue, int.MaxValue };

        ParamAssert.Throws<ArgumentException>("lengths", () => new TensorShape(lengths, [1L, 1L, 1L]));
    }

    [Fact]
    public void EqualityComparesLengthsStridesAndOffset()
    {
        var a = new TensorShape([2, 3], [3, 1], offset: 1);
        var same = new TensorShape([2, 3], [3, 1], offset: 1);

        Assert.Equal(a, same);
        Assert.Equal(a.GetHashCode(), same.GetHashCode());
        Assert.NotEqual(a, new TensorShape([2, 3], [3, 1], offset: 0));
        Assert.NotEqual(a, new TensorShape([3, 2], [3, 1], offset: 1));
        Assert.NotEqual(a, new TensorShape([2, 3], [4, 1], offset: 1));
    }

    [Fact]
    public void ConstructorCopiesItsInputs()
    {
        var lengths = new[] { 2, 3 };
        var strides = new long[] { 3, 1 };
        var shape = new TensorShape(lengths, strides);

        lengths[0] = 9;
        strides[0] = 9;

        Assert.Equal([2, 3], shape.Lengths.ToArray());
        Assert.Equal([3L, 1L], shape.Strides.ToArray());
    }
}
