using BnNative.Tensors;

namespace BnNative.Tests.Core;

public sealed class TensorTests
{
    [Fact]
    public void ZerosOwnsARowMajorZeroBuffer()
    {
        var tensor = Tensor<double>.Zeros(2, 3);

        Assert.Equal(6, tensor.Data.Length);
        Assert.All(tensor.Data, value => Assert.Equal(0.0, value));
        Assert.Equal([2, 3], tensor.Lengths.ToArray());
        Assert.True(tensor.View.Shape.IsRowMajorContiguous);
    }

    [Fact]
    public void FromArrayTakesTheArrayWithoutCopying()
    {
        var data = new float[] { 1, 2, 3, 4, 5, 6 };
        var tensor = Tensor<float>.FromArray(data, 3, 2);

        Assert.Same(data, tensor.Data);
        data[5] = 60;
        Assert.Equal(60f, tensor.View[2, 1]);
    }

    [Fact]
    public void CopyOfAViewIsContiguousAndIndependent()
    {
        var source = TestTensors.Iota(2, 3);
        var copy = Tensor<float>.CopyOf(source.Permute(1, 0));

        Assert.Equal([0f, 3f, 1f, 4f, 2f, 5f], copy.Data);
        copy.Data[0] = 9;
        Assert.Equal(0f, source[0, 0]);
    }

    [Fact]
    public void ConvertsImplicitlyToItsView()
    {
        var tensor = Tensor<float>.Zeros(4);
        TensorView<float> view = tensor;

        Assert.Same(tensor.View, view);
    }

    [Fact]
    public void FactoriesRejectBadInputs()
    {
        ParamAssert.Throws<ArgumentOutOfRangeException>("lengths", () => Tensor<float>.Zeros(2, -1));
        ParamAssert.Throws<ArgumentException>("lengths", () => Tensor<float>.FromArray(new float[5], 2, 3));
        ParamAssert.Throws<ArgumentNullException>("data", () => Tensor<float>.FromArray(null!, 2));
        ParamAssert.Throws<ArgumentNullException>("view", () => Tensor<float>.CopyOf(null!));
        Assert.Throws<NotSupportedException>(() => Tensor<Half>.Zeros(2));
    }
}
