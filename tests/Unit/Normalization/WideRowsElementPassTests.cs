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
        { 7, 144 },
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
