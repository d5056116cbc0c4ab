using BnNative.IO;
using BnNative.Tensors;
using BnNative.Tests.Core;

namespace BnNative.Tests.IO;

public sealed class NpyRoundTripTests
{
    /// <summary>Ranks 0 to 5, with and without empty axes and axes of length 1.</summary>
    public static TheoryData<int[]> Shapes => new()
    {
        Array.Empty<int>(),
        new[] { 0 },
        new[] { 7 },
        new[] { 2, 0 },
        new[] { 2, 3 },
        new[] { 0, 3, 2 },
        new[] { 2, 3, 4 },
        new[] { 1, 2, 1, 3 },
        new[] { 2, 1, 0, 3 },
        new[] { 2, 3, 1, 2, 2 },
        new[] { 3, 2, 2, 0, 1 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Float32RoundTripsBitwiseThroughAFile(int[] shape)
    {
        using var directory = new TempDirectory();
        var x = IoTensors.RandomBits<float>(shape, seed: shape.Length);
        string path = directory.File("x.npy");

        NpyFile.Write(path, x.View);
        var read = NpyFile.Read(path);

        Assert.Equal(NpyDType.Float32, read.DType);
        Assert.Equal(shape, read.Shape.ToArray());
        var tensor = read.ToFloatTensor();
        Assert.Equal(shape, tensor.Lengths.ToArray());
        Assert.Equal(IoTensors.Bits(x.Data), IoTensors.Bits(tensor.Data));
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Float64RoundTripsBitwiseThroughAStream(int[] shape)
    {
        var x = IoTensors.RandomBits<double>(shape, seed: 10 + shape.Length);
        using var stream = new MemoryStream();

        NpyFile.Write(stream, x.View);
        stream.Position = 0;
        var read = NpyFile.Read(stream);

        Assert.Equal(NpyDType.Float64, read.DType);
        Assert.Equal(shape, read.Shape.ToArray());
        Assert.Equal(IoTensors.Bits(x.Data), IoTensors.Bits(read.ToDoubleTensor().Data));
        Assert.Equal(stream.Length, stream.Position);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    [InlineData(long.MinValue)]
    [InlineData(long.MaxValue)]
    public void Int64ScalarRoundTrips(long value)
    {
        using var directory = new TempDirectory();
        string path = directory.File("step.npy");

        NpyFile.WriteInt64Scalar(path, value);
        var read = NpyFile.Read(path);

        Assert.Equal(NpyDType.Int64, read.DType);
        Assert.Equal(0, read.Rank);
        Assert.Equal(1, read.ElementCount);
        Assert.Equal(value, read.AsInt64Scalar());
        Assert.Contains("'descr': '<i8', 'fortran_order': False, 'shape': (), }", NpyBytes.HeaderText(File.ReadAllBytes(path)));
    }

    [Fact]
    public void AStridedViewIsWrittenInRowMajorOrder()
    {
        var source = TestTensors.Iota(2, 3, 4);
        var view = source.Permute(2, 0, 1).Slice(0, 1, 2);
        using var stream = new MemoryStream();

        NpyFile.Write(stream, view);
        stream.Position = 0;
        var read = NpyFile.Read(stream).ToFloatTensor();

        Assert.Equal(view.Lengths.ToArray(), read.Lengths.ToArray());
        Assert.Equal(view.ToArray(), read.Data);
    }

    [Fact]
    public void AContiguousViewWithAnOffsetWritesOnlyItsElements()
    {
        var source = TestTensors.Iota(4, 3);
        var view = source.Slice(0, 1, 2);
        using var stream = new MemoryStream();

        NpyFile.Write(stream, view);
        stream.Position = 0;

        Assert.Equal([3f, 4f, 5f, 6f, 7f, 8f], NpyFile.Read(stream).ToFloatTensor().Data);
    }

    [Fact]
    public void ArraysWrittenBackToBackAreReadInTurnFromAStream()
    {
        using var stream = new MemoryStream();
        NpyFile.Write(stream, TestTensors.Iota(2));
        NpyFile.WriteInt64Scalar(stream, 42);
        NpyFile.Write(stream, NpyArray.FromTensor(Tensor<double>.FromArray([1.5], 1).View));
        stream.Position = 0;

        Assert.Equal([0f, 1f], NpyFile.Read(stream).ToFloatTensor().Data);
        Assert.Equal(42, NpyFile.Read(stream).AsInt64Scalar());
        Assert.Equal([1.5], NpyFile.Read(stream).ToDoubleTensor().Data);
        Assert.Equal(stream.Length, stream.Position);
    }

    [Fact]
    public void AnNpyArrayIsWrittenLikeTheTensorItCameFrom()
    {
        var x = IoTensors.RandomBits<double>([3, 2], seed: 5);
        using var fromView = new MemoryStream();
        using var fromArray = new MemoryStream();

        NpyFile.Write(fromView, x.View);
        NpyFile.Write(fromArray, NpyArray.FromTensor(x.View));

        Assert.Equal(fromView.ToArray(), fromArray.ToArray());
    }

}
