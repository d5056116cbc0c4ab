using System.Numerics;
using BnNative.Collections;
using BnNative.IO;
using BnNative.Normalization;
using BnNative.Tensors;
using BnNative.Tests.IO;

namespace BnNative.Tests.StateFile;

/// <summary><see cref="BatchNormStateFile.Save{T}"/> then <see cref="BatchNormStateFile.Load{T}"/> gives back every bit.</summary>
public sealed class StateFileRoundTripTests
{
    [Theory]
    [InlineData(1, 0L, 1)]
    [InlineData(7, 1L, 2)]
    [InlineData(300, long.MaxValue, 3)]
    public void FloatStatesRoundTripBitwise(int channels, long step, int seed) => AssertRoundTrip(StateFiles.RandomBitsState<float>(channels, step, seed));

    [Theory]
    [InlineData(1, 0L, 4)]
    [InlineData(7, 12L, 5)]
    [InlineData(300, long.MaxValue, 6)]
    public void DoubleStatesRoundTripBitwise(int channels, long step, int seed) => AssertRoundTrip(StateFiles.RandomBitsState<double>(channels, step, seed));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TheFileHoldsTensorpacksNamesInOrderWithTheStatesDtype(bool isDouble)
    {
        using var directory = new TempDirectory();
        string path = directory.File("state.npz");
        if (isDouble)
        {
            BatchNormStateFile.Save(path, BatchNormState<double>.Init(3));
        }
        else
        {
            BatchNormStateFile.Save(path, BatchNormState<float>.Init(3));
        }

        var entries = NpzFile.Read(path);

        Assert.Equal(
            new[] { BatchNormStateFile.MeanKey, BatchNormStateFile.VarianceKey, BatchNormStateFile.GammaKey, BatchNormStateFile.BetaKey, BatchNormStateFile.StepKey },
            entries.Keys.ToArray());
        Assert.Equal(["mean/EMA", "variance/EMA", "gamma", "beta", "step"], entries.Keys.ToArray());
        var vectorType = isDouble ? NpyDType.Float64 : NpyDType.Float32;
        Assert.All(entries.Values.Take(4), array => Assert.Equal((vectorType, 1, 3), (array.DType, array.Rank, array.Shape[0])));
        Assert.Equal((NpyDType.Int64, 0, 0L), (entries["step"].DType, entries["step"].Rank, entries["step"].AsInt64Scalar()));
    }

    [Fact]
    public void SavingTheSameStateTwiceWritesTheSameBytes()
    {
        using var directory = new TempDirectory();
        var state = StateFiles.RandomBitsState<float>(5, 9, seed: 7);

        BatchNormStateFile.Save(directory.File("a.npz"), state);
        BatchNormStateFile.Save(directory.File("b.npz"), state);

        Assert.Equal(File.ReadAllBytes(directory.File("a.npz")), File.ReadAllBytes(directory.File("b.npz")));
    }

    [Fact]
    public void ACompressedArchiveInAnotherOrderWithExtraArraysLoads()
    {
        using var directory = new TempDirectory();
        string path = directory.File("numpy.npz");
        var state = StateFiles.RandomBitsState<double>(3, 2, seed: 8);
        NpzFile.Write(
            path,
            [
                ("step", NpyArray.FromInt64Scalar(state.Step)),
                ("beta", StateFiles.Vector(state.Beta.ToArray())),
                ("other/variable", StateFiles.Vector(new double[] { 1, 2 })),
                ("gamma", StateFiles.Vector(state.Gamma.ToArray())),
                ("variance/EMA", StateFiles.Vector(state.MovingVariance.ToArray())),
                ("mean/EMA", StateFiles.Vector(state.MovingMean.ToArray())),
            ],
            compress: true);

        StateFiles.AssertBitwise(state, BatchNormStateFile.Load<double>(path));
    }

    private static void AssertRoundTrip<T>(BatchNormState<T> state)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        using var directory = new TempDirectory();
        string path = directory.File("state.npz");

        BatchNormStateFile.Save(path, state);

        StateFiles.AssertBitwise(state, BatchNormStateFile.Load<T>(path));
        Assert.Equal(["state.npz"], directory.FileNames());
    }
}

/// <summary>States with awkward values, and exact comparisons of states.</summary>
internal static class StateFiles
{
    /// <summary>
    /// A state whose vectors are random bit patterns (NaN payloads, infinities, subnormals) that start with −0, +0 and
    /// subnormals; the moving variance has no value below zero (−0 and NaNs with the sign bit set are not below zero).
    /// </summary>
    public static BatchNormState<T> RandomBitsState<T>(int channels, long step, int seed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T subnormal = T.Epsilon * T.CreateTruncating(12345);
        T[] specials = [T.NegativeZero, T.Zero, T.Epsilon, subnormal, -subnormal, T.PositiveInfinity, T.NegativeInfinity, T.NaN];
        ReadOnlyVector<T> Vector(int offset, bool nonNegative)
        {
            var values = IoTensors.RandomBits<T>([channels], seed + offset).Data;
            specials.AsSpan(0, Math.Min(channels, specials.Length)).CopyTo(values);
            for (int i = 0; nonNegative && i < values.Length; i++)
            {
                values[i] = values[i] < T.Zero ? -values[i] : values[i];
            }

            return ReadOnlyVector.Create<T>(values);
        }

        return new BatchNormState<T>(Vector(0, false), Vector(1, true), Vector(2, false), Vector(3, false), step);
    }

    /// <summary>Asserts the step and every bit of the four vectors are equal.</summary>
    public static void AssertBitwise<T>(BatchNormState<T> expected, BatchNormState<T> actual)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Assert.Equal(expected.Step, actual.Step);
        Assert.Equal(IoTensors.Bits(expected.MovingMean.ToArray()), IoTensors.Bits(actual.MovingMean.ToArray()));
        Assert.Equal(IoTensors.Bits(expected.MovingVariance.ToArray()), IoTensors.Bits(actual.MovingVariance.ToArray()));
        Assert.Equal(IoTensors.Bits(expected.Gamma.ToArray()), IoTensors.Bits(actual.Gamma.ToArray()));
        Assert.Equal(IoTensors.Bits(expected.Beta.ToArray()), IoTensors.Bits(actual.Beta.ToArray()));
    }

    /// <summary>A 1-D float32 array.</summary>
    public static NpyArray Vector(params float[] values) => NpyArray.FromTensor(TensorView<float>.Create(values, values.Length));

    /// <summary>A 1-D float64 array.</summary>
    public static NpyArray Vector(params double[] values) => NpyArray.FromTensor(TensorView<double>.Create(values, values.Length));

    /// <summary>An array of any dtype and shape, read from .npy bytes built by hand.</summary>
    public static NpyArray Raw(string descr, string shape, byte[] data) => NpyFile.Read(new MemoryStream(NpyBytes.Simple(descr, shape, data)));
}
