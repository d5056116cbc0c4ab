using BnNative.Collections;
using BnNative.Normalization;
using BnNative.Tensors;

namespace BnNative.Tests.Normalization;

/// <summary>
/// Element passes over rows of channels whose C is a multiple of the vector width run as whole rows (and, with AVX-512
/// and a tensor in cache, in groups of up to four 512-bit vectors walked down the rows). Every group size, a last group
/// of one to four vectors, and float and double must give the closed-form results computed here in double.
/// </summary>
public sealed class WideRowsElementPassTests
{
    public static TheoryData<int, int> Shapes => new()
    {
        { 5, 16 },
        { 37, 48 },
        { 9, 80 },   // a group of four vectors and one of one
        { 6, 96 },   // every coefficient held in registers: six vectors
        { 11, 112 }, // seven
        { 33, 128 },
        { 7, 144 },  // eight vectors' coefficients held, the ninth loaded
        { 13, 192 }, // eight held, four loaded
        { 10, 256 }, // eight held, eight loaded
        { 64, 1024 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void InferenceAndTheTrainingBackwardMatchTheFormulas(int rows, int channels)
    {
        var random = new Random((rows * 1000) + channels);
        var xs = Enumerable.Range(0, rows * channels).Select(_ => (float)((random.NextDouble() * 4) + 3)).ToArray();
        var dys = Enumerable.Range(0, rows * channels).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var gamma = Enumerable.Range(0, channels).Select(c => 0.5f + (c % 7)).ToArray();
        var beta = Enumerable.Range(0, channels).Select(c => (float)(c % 5) - 2).ToArray();
        var mean = Enumerable.Range(0, channels).Select(c => (float)(c % 3)).ToArray();
        var variance = Enumerable.Range(0, channels).Select(c => 1f + (c % 4)).ToArray();
        var state = BatchNormState<float>.Init(channels) with
        {
            Gamma = ReadOnlyVector.Create(gamma),
            Beta = ReadOnlyVector.Create(beta),
            MovingMean = ReadOnlyVector.Create(mean),
            MovingVariance = ReadOnlyVector.Create(variance),
        };
        var config = new BatchNormConfig { Epsilon = 1e-3 };
        var x = TensorView<float>.Create(xs, rows, channels);
        var dy = TensorView<float>.Create(dys, rows, channels);

        var y = BatchNorm.Infer(x, state, config);
        var train = BatchNorm.Train(x, state, config);
        var dx = BatchNorm.Backward(dy, train).InputGradient.ToArray();

        for (int c = 0; c < channels; c++)
        {
            double scale = gamma[c] / Math.Sqrt(variance[c] + 1e-3);
            double batchMean = 0;
            for (int r = 0; r < rows; r++)
            {
                batchMean += xs[(r * channels) + c];
            }

            batchMean /= rows;
            double m2 = 0;
            double dyMean = 0;
            for (int r = 0; r < rows; r++)
            {
                m2 += Math.Pow(xs[(r * channels) + c] - batchMean, 2);
                dyMean += dys[(r * channels) + c];
            }

            dyMean /= rows;
            double invstd = 1 / Math.Sqrt((m2 / rows) + 1e-3);
            double dyXhatMean = 0;
            for (int r = 0; r < rows; r++)
            {
                dyXhatMean += dys[(r * channels) + c] * (xs[(r * channels) + c] - batchMean) * invstd;
            }

            dyXhatMean /= rows;
            for (int r = 0; r < rows; r++)
            {
                int i = (r * channels) + c;
                double expectedY = ((xs[i] - mean[c]) * scale) + beta[c];
                double xhat = (xs[i] - batchMean) * invstd;
                double expectedDx = gamma[c] * invstd * (dys[i] - dyMean - (xhat * dyXhatMean));
                Assert.True(Math.Abs(y.Data[i] - expectedY) <= 1e-5 * (1 + Math.Abs(expectedY)), $"y[{r}, {c}] = {y.Data[i]}, expected {expectedY}");
                Assert.True(
                    Math.Abs(dx[i] - expectedDx) <= 2e-5 * (1 + (gamma[c] * invstd)), $"dx[{r}, {c}] = {dx[i]}, expected {expectedDx}");
            }
        }
    }

    /// <summary>
    /// In cache, rows of nine to sixteen 512-bit vectors hold the first eight vectors' coefficients in registers up to
    /// 512 KB per view and load every coefficient beyond that: inference of a few rows (held) must give the bits of the
    /// same rows at the head of a tensor whose chunks exceed 512 KB (loaded), in float and in double.
    /// </summary>
    [Theory]
    [InlineData(144)]
    [InlineData(192)]
    [InlineData(256)]
    public void HeldCoefficientsGiveTheBitsOfLoadedOnes(int floatChannels)
    {
        const int fewRows = 40;
        const int manyElements = 1 << 19; // chunks of 2^18 elements: 1 MB of floats, 2 MB of doubles
        var random = new Random(floatChannels);
        var values = Enumerable.Range(0, manyElements).Select(_ => (random.NextDouble() * 6) - 2).ToArray();

        var (fewFloat, manyFloat) = InferBoth(Array.ConvertAll(values, v => (float)v), floatChannels, fewRows);
        Assert.Equal(manyFloat[..fewFloat.Length], fewFloat);

        var (fewDouble, manyDouble) = InferBoth(values, floatChannels / 2, fewRows);
        Assert.Equal(manyDouble[..fewDouble.Length], fewDouble);
    }

    /// <summary>Inference of the first <paramref name="fewRows"/> rows alone and of all of <paramref name="values"/>, with a state whose every coefficient differs by channel.</summary>
    private static (T[] Few, T[] Many) InferBoth<T>(T[] values, int channels, int fewRows)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var state = BatchNormState<T>.Init(channels) with
        {
            Gamma = ReadOnlyVector.Create(Enumerable.Range(0, channels).Select(c => T.CreateChecked(0.5 + (c % 7))).ToArray()),
            Beta = ReadOnlyVector.Create(Enumerable.Range(0, channels).Select(c => T.CreateChecked((c % 5) - 2.25)).ToArray()),
            MovingMean = ReadOnlyVector.Create(Enumerable.Range(0, channels).Select(c => T.CreateChecked((c % 3) * 0.7)).ToArray()),
            MovingVariance = ReadOnlyVector.Create(Enumerable.Range(0, channels).Select(c => T.CreateChecked(1.3 + (c % 4))).ToArray()),
        };
        var config = new BatchNormConfig { Threads = 1, Epsilon = 1e-3 };
        int rows = values.Length / channels;
        var few = BatchNorm.Infer(TensorView<T>.Create(values[..(fewRows * channels)], fewRows, channels), state, config).Data;
        var many = BatchNorm.Infer(TensorView<T>.Create(values[..(rows * channels)], rows, channels), state, config).Data;
        return (few, many);
    }

    [Fact]
    public void DoubleRowsMatchFloatRowsToFloatPrecision()
    {
        const int rows = 21;
        const int channels = 40; // five 512-bit vectors of doubles: a group of four and one of one
        var random = new Random(7);
        var values = Enumerable.Range(0, rows * channels).Select(_ => (random.NextDouble() * 10) - 5).ToArray();
        var config = new BatchNormConfig { Epsilon = 1e-3 };

        var inDouble = BatchNorm.Train(TensorView<double>.Create(values, rows, channels), BatchNormState<double>.Init(channels), config);
        var inFloat = BatchNorm.Train(
            TensorView<float>.Create(Array.ConvertAll(values, v => (float)v), rows, channels), BatchNormState<float>.Init(channels), config);

        var a = inDouble.Output.ToArray();
        var b = inFloat.Output.ToArray();
        for (int i = 0; i < a.Length; i++)
        {
            Assert.True(Math.Abs(a[i] - b[i]) <= 1e-5 * (1 + Math.Abs(a[i])), $"y[{i}]: double {a[i]}, float {b[i]}");
        }
    }
}
