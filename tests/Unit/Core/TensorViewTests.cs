using BnNative.Tensors;

namespace BnNative.Tests.Core;

public sealed class TensorViewTests
{
    [Fact]
    public void IndexerThroughPermuteReadsAndWritesTheTransposedSlot()
    {
        var view = TestTensors.Iota(2, 3);
        var transposed = view.Permute(1, 0);

        Assert.Equal([3, 2], transposed.Lengths.ToArray());
        Assert.Equal(5f, transposed[2, 1]);
        Assert.Equal(1f, transposed[1, 0]);

        transposed[2, 0] = 100;

        Assert.Equal(100f, view.Memory.Span[2]);
        Assert.Equal(100f, view[0, 2]);
    }

    [Fact]
    public void IndexerThroughSliceReadsAndWritesTheShiftedSlot()
    {
        var view = TestTensors.Iota(3, 4);
        var slice = view.Slice(1, 1, 2).Slice(0, 1, 2);

        Assert.Equal([2, 2], slice.Lengths.ToArray());
        Assert.Equal(5f, slice[0, 0]);
        Assert.Equal(10f, slice[1, 1]);

        slice[1, 0] = -1;

        Assert.Equal(-1f, view.Memory.Span[9]);
    }

    [Fact]
    public void IndexerRejectsOutOfRange()
    {
        var view = TestTensors.Iota(2, 3).Slice(1, 0, 2);

        Assert.Throws<IndexOutOfRangeException>(() => view[0, 2]);
        Assert.Throws<IndexOutOfRangeException>(() => view[-1, 0]);
    }

    [Fact]
    public void CopyToOfPermutedViewIsLogicalRowMajor()
    {
        var transposed = TestTensors.Iota(2, 3).Permute(1, 0);

        Assert.Equal([0f, 3f, 1f, 4f, 2f, 5f], transposed.ToArray());
    }

    [Fact]
    public void CopyToOfSlicedViewIsLogicalRowMajor()
    {
        var slice = TestTensors.Iota(3, 4).Slice(1, 1, 2);

        Assert.Equal([1f, 2f, 5f, 6f, 9f, 10f], slice.ToArray());
    }

    [Fact]
    public void CopyToOfPermutedSliceIsLogicalRowMajor()
    {
        // [2, 3, 4] → slice axis 2 to {1, 2} → permute to [2 (axis 2), 2 (axis 0), 3 (axis 1)].
        var view = TestTensors.Iota(2, 3, 4).Slice(2, 1, 2).Permute(2, 0, 1);
        var destination = new float[14];
        Array.Fill(destination, -7f);

        view.CopyTo(destination);

        float[] expected = [1, 5, 9, 13, 17, 21, 2, 6, 10, 14, 18, 22, -7, -7];
        Assert.Equal(expected, destination);
    }

    [Fact]
    public void CopyToRejectsShortDestination()
    {
        var view = TestTensors.Iota(2, 3);

        var error = ParamAssert.Throws<ArgumentException>("destination", () => view.CopyTo(new float[5]));
        Assert.Contains("5", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToContiguousCopiesIntoANewRowMajorBuffer()
    {
        var source = TestTensors.Iota(3, 4);
        var copy = source.Slice(1, 1, 2).Permute(1, 0).ToContiguous();

        Assert.True(copy.Shape.IsRowMajorContiguous);
        Assert.Equal([1f, 5f, 9f, 2f, 6f, 10f], copy.ToArray());
        copy[0, 0] = 42;
        Assert.Equal(1f, source[0, 1]);
    }

    [Fact]
    public void IsDenseForPermutedContiguousNotForSliceWithGaps()
    {
        var view = TestTensors.Iota(2, 3, 4);

        Assert.True(view.Permute(2, 0, 1).Shape.IsDense);
        Assert.False(view.Permute(2, 0, 1).Shape.IsRowMajorContiguous);
        Assert.False(view.Slice(2, 0, 3).Shape.IsDense);
        Assert.True(view.Slice(0, 1, 1).Shape.IsDense);
    }

    [Fact]
    public void PermuteRejectsNonPermutations()
    {
        var view = TestTensors.Iota(2, 3, 4);

        ParamAssert.Throws<ArgumentException>("axes", () => view.Permute(0, 0, 1));
        ParamAssert.Throws<ArgumentException>("axes", () => view.Permute(0, 1, 3));
        ParamAssert.Throws<ArgumentException>("axes", () => view.Permute(0, -1, 2));
        ParamAssert.Throws<ArgumentException>("axes", () => view.Permute(1, 0));
    }

    [Fact]
    public void SliceRejectsOutOfRange()
    {
        var view = TestTensors.Iota(2, 3);

        ParamAssert.Throws<ArgumentOutOfRangeException>("axis", () => view.Slice(2, 0, 1));
        ParamAssert.Throws<ArgumentOutOfRangeException>("axis", () => view.Slice(-1, 0, 1));
        ParamAssert.Throws<ArgumentOutOfRangeException>("start", () => view.Slice(1, 4, 0));
        ParamAssert.Throws<ArgumentOutOfRangeException>("start", () => view.Slice(1, -1, 1));
        ParamAssert.Throws<ArgumentOutOfRangeException>("length", () => view.Slice(1, 1, 3));
        ParamAssert.Throws<ArgumentOutOfRangeException>("length", () => view.Slice(1, 0, -1));
    }

    [Fact]
    public void EmptySliceAtTheEndIsAllowed()
    {
        var slice = TestTensors.Iota(2, 3).Slice(1, 3, 0);

        Assert.Equal(0, slice.ElementCount);
        Assert.Empty(slice.ToArray());
    }

    [Fact]
    public void ConstructorRejectsShapeBeyondTheMemory()
    {
        var memory = new float[6];

        ParamAssert.Throws<ArgumentException>("shape", () => new TensorView<float>(memory, TensorShape.RowMajor(2, 4)));
        ParamAssert.Throws<ArgumentException>("shape", () => new TensorView<float>(memory, new TensorShape([2, 3], [3, 1], offset: 1)));
        ParamAssert.Throws<ArgumentException>("shape", () => new TensorView<float>(memory, new TensorShape([2, 2], [3, 1], offset: 2)));
        ParamAssert.Throws<ArgumentNullException>("shape", () => new TensorView<float>(memory, null!));

        var lastSlot = new TensorView<float>(memory, new TensorShape([2, 2], [3, 1], offset: 1));
        Assert.Equal(5, lastSlot.Shape.MaxOffset);
        var emptyFarAway = new TensorView<float>(memory, new TensorShape([0, 9], [9, 1], offset: 40));
        Assert.Equal(0, emptyFarAway.ElementCount);
    }

    [Fact]
    public void CreateRejectsLengthsThatDoNotMatchTheData()
    {
        ParamAssert.Throws<ArgumentException>("lengths", () => TensorView<double>.Create(new double[6], 2, 4));
    }

    [Fact]
    public void HalfElementsAreNotSupported()
    {
        Assert.Throws<NotSupportedException>(() => new TensorView<Half>(new Half[2], TensorShape.RowMajor(2)));
        Assert.Throws<NotSupportedException>(() => TensorView<Half>.Create(new Half[2], 1, 2));
    }
}
