using BnNative.Collections;
using BnNative.IO;
using BnNative.Normalization;
using BnNative.Tensors;
using BnNative.Tests.IO;

namespace BnNative.Tests.Cli;

/// <summary>
/// <c>bnnative run --allow-nonfinite</c> propagates NaN as PyTorch does: exit 0, the poisoned channel NaN in the output
/// and the state, the other channels exactly as without the poison. Without the option the same runs fail
/// (<see cref="RunCommandErrorTests"/>: exit 2, one line naming the file and channel, no file written or changed).
/// </summary>
public sealed class RunNonFiniteTests
{
    [Fact]
    public void AllowNonFiniteWritesNaNIntoThePoisonedChannelOnly()
    {
        using var files = new TempDirectory();
        var x = NonFiniteRunData.WithNaN();

        var result = CliResult.Of(
            "run", "--input", CliData.WriteTensor(files.File("x.npy"), x), "--output", files.File("y.npy"), "--state-out", files.File("s.npz"),
            "--allow-nonfinite");

        result.AssertSucceeded();
        var config = BatchNormConfig.Tensorpack with { AllowNonFinite = true };
        var (output, next) = ExpectedRun.Of(x, BatchNormState<float>.Init(4), config, train: true);
        CliData.AssertBitwise(output, CliData.ReadTensor<float>(files.File("y.npy")).View);
        var state = BatchNormStateFile.Load<float>(files.File("s.npz"));
        Assert.Equal(next, state);
        Assert.True(float.IsNaN(state.MovingMean[NonFiniteRunData.PoisonedChannel]));
        Assert.All(
            Enumerable.Range(0, 4).Where(c => c != NonFiniteRunData.PoisonedChannel),
            c => Assert.True(float.IsFinite(state.MovingMean[c]) && float.IsFinite(state.MovingVariance[c])));
    }

    [Fact]
    public void AllowNonFiniteAcceptsANonFiniteStateForInference()
    {
        using var files = new TempDirectory();

        var result = CliResult.Of(
            "run", "--mode", "infer", "--input", CliData.WriteTensor(files.File("x.npy"), CliData.RandomTensor<float>(1, 8, 4).View),
            "--output", files.File("y.npy"), "--state-in", CliData.WriteState(files.File("in.npz"), NonFiniteRunData.NaNState()), "--allow-nonfinite");

        result.AssertSucceeded();
        var y = CliData.ReadTensor<float>(files.File("y.npy")).View;
        Assert.All(y.Slice(1, 1, 1).ToArray(), value => Assert.True(float.IsNaN(value)));
        Assert.All(y.Slice(1, 0, 1).ToArray(), value => Assert.True(float.IsFinite(value)));
    }
}

/// <summary>Inputs and states with a poisoned channel, shared by the CLI's error and opt-out tests.</summary>
internal static class NonFiniteRunData
{
    /// <summary>The channel <see cref="WithNaN"/> poisons.</summary>
    public const int PoisonedChannel = 2;

    /// <summary>float32 [8, 4] (channels last) with one NaN in channel 2.</summary>
    public static TensorView<float> WithNaN() => Poisoned<float>(1, [8, 4], 3 * 4 + PoisonedChannel, float.NaN);

    /// <summary>float64 [8, 3] with −∞ in channel 0.</summary>
    public static TensorView<double> WithNegativeInfinity() => Poisoned<double>(2, [8, 3], 3, double.NegativeInfinity);

    /// <summary>float32 [8, 4] whose channel 1 holds ±1e30: its variance, about 1e60, overflows float32.</summary>
    public static TensorView<float> Huge()
    {
        var x = CliData.RandomTensor<float>(3, 8, 4);
        for (int row = 0; row < 8; row++)
        {
            x.Data[(4 * row) + 1] = row % 2 == 0 ? 1e30f : -1e30f;
        }

        return x.View;
    }

    /// <summary>A float32 state of 4 channels whose moving mean is NaN in channel 1.</summary>
    public static BatchNormState<float> NaNState() =>
        BatchNormState<float>.Init(4) with { MovingMean = ReadOnlyVector.Create(0f, float.NaN, 0f, 0f) };

    private static TensorView<T> Poisoned<T>(int seed, int[] lengths, int position, T value)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var x = CliData.RandomTensor<T>(seed, lengths);
        x.Data[position] = value;
        return x.View;
    }
}
