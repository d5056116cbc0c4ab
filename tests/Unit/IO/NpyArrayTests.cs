using BnNative.IO;
using BnNative.Tensors;
using BnNative.Tests.Core;

namespace BnNative.Tests.IO;

public sealed class NpyArrayTests
{
    [Fact]
    public void AccessorsNeverConvertAndNameTheSourceAndBothTypes()
    {
        using var directory = new TempDirectory();
        string path = directory.File("mean.npy");
        NpyFile.Write(path, Tensor<double>.FromArray([1.0, 2.0], 2).View);
        var array = NpyFile.Read(path);

        var e = Assert.Throws<InvalidDataException>(() => array.ToFloatTensor());

        Assert.Equal($"'{path}' holds Float64 ('<f8') elements, but ToFloatTensor expects Float32 ('<f4'); no implicit conversion is made.", e.Message);
        Assert.Contains("but ToInt64Array expects Int64", Assert.Throws<InvalidDataException>(() => array.ToInt64Array()).Message);
        Assert.Contains("but AsInt64Scalar expects Int64", Assert.Throws<InvalidDataException>(() => array.AsInt64Scalar()).Message);
        Assert.Contains("Float32 ('<f4') elements, but ToDoubleTensor expects Float64",
            Assert.Throws<InvalidDataException>(() => NpyArray.FromTensor(TestTensors.Iota(2)).ToDoubleTensor()).Message);
    }

    [Fact]
    public void AsInt64ScalarNeedsExactlyOneElement()
    {
        var vector = NpyFile.Read(new MemoryStream(NpyBytes.Simple("<i8", "(2,)", NpyBytes.Longs(1, 2))));
        var single = NpyFile.Read(new MemoryStream(NpyBytes.Simple("<i8", "(1, 1)", NpyBytes.Longs(9))));

        var e = Assert.Throws<InvalidDataException>(() => vector.AsInt64Scalar());

        Assert.Equal("The .npy stream has shape (2,) (2 elements), but AsInt64Scalar expects exactly one element.", e.Message);
        Assert.Equal(9, single.AsInt64Scalar());
        Assert.Equal([1L, 2L], vector.ToInt64Array());
    }

    [Fact]
    public void AccessorsReturnCopies()
    {
        var array = NpyArray.FromTensor(Tensor<double>.FromArray([1.0, 2.0], 2).View);

        array.ToDoubleTensor().Data[0] = 100;
        var ints = NpyArray.FromInt64Scalar(5);
        ints.ToInt64Array()[0] = 6;

        Assert.Equal([1.0, 2.0], array.ToDoubleTensor().Data);
        Assert.Equal(5, ints.AsInt64Scalar());
    }

    [Fact]
    public void FromTensorCopiesAStridedViewInRowMajorOrder()
    {
        var source = TestTensors.Iota(2, 3);
        var array = NpyArray.FromTensor(source.Permute(1, 0));
        source[0, 0] = 99;

        Assert.Equal(NpyDType.Float32, array.DType);
        Assert.Equal([3, 2], array.Shape.ToArray());
        Assert.Equal(2, array.Rank);
        Assert.Equal(6, array.ElementCount);
        Assert.Equal([0f, 3f, 1f, 4f, 2f, 5f], array.ToFloatTensor().Data);
        Assert.Equal("NpyArray Float32 (3, 2)", array.ToString());
        Assert.Equal("NpyArray Int64 ()", NpyArray.FromInt64Scalar(1).ToString());
    }

    [Fact]
    public void FactoriesRejectNull()
    {
        ParamAssert.Throws<ArgumentNullException>("x", () => NpyArray.FromTensor((TensorView<float>)null!));
        ParamAssert.Throws<ArgumentNullException>("x", () => NpyArray.FromTensor((TensorView<double>)null!));
    }
}
