using BnNative.Moments;
using BnNative.Normalization;
using BnNative.Tensors;

namespace BnNative.Tests.Core;

/// <summary>
/// Rows of more channels than eight vectors hold (C &gt; 64 for float): C a multiple of the vector width is summed in
/// column groups (512-bit where the hardware has them; beyond 8 MB, contiguous rows, with the next band prefetched),
/// anything else row by row in memory order. All must agree with plain double-precision sums, through every fold and
/// check boundary (64 and 512 rows), with data far from zero.
/// </summary>
public sealed class WideRowsMomentsTests
{
    public static TheoryData<int, int> Shapes => new()
    {
        { 700, 72 },   // 9 vectors: one full group of eight and a group of one
        { 130, 128 },
        { 600, 136 },
        { 70, 256 },
        { 65, 520 },
        { 300, 100 },  // not a multiple of the vector width: the in-memory-order loop
        { 3, 1024 },
        { 8256, 272 }, // beyond 8 MB (float and double): read from memory, the next band prefetched; 17 vectors of 512 bits
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void FloatMomentsMatchDoubleSums(int rows, int channels)
    {
        var data = Data(rows, channels, seed: rows + channels);
        var x = TensorView<float>.Create(Array.ConvertAll(data, v => (float)v), rows, channels);

        var moments = MomentsBackend.Simd.Compute(x, 1, threads: 2);

        var (mean, m2) = MomentsAssert.RowReference(Array.ConvertAll(data, v => (double)(float)v), rows, channels);
        AssertClose(mean, moments.Mean, 1e-6, "mean");
        AssertClose(m2, moments.M2, 1e-4, "M2");
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void DoubleMomentsMatchDoubleSums(int rows, int channels)
    {
        var data = Data(rows, channels, seed: rows * channels);
        var x = TensorView<double>.Create(data, rows, channels);

        var moments = MomentsBackend.Simd.Compute(x, 1, threads: 1);

        var (mean, m2) = MomentsAssert.RowReference(data, rows, channels);
        AssertClose(mean, moments.Mean, 1e-12, "mean");
        AssertClose(m2, moments.M2, 1e-9, "M2");
    }

    [Fact]
    public void TheSameSumsDoNotDependOnTheThreadCount()
    {
        var x = TensorView<float>.Create(Array.ConvertAll(Data(1000, 200, seed: 5), v => (float)v), 1000, 200);

        Assert.Equal(MomentsBackend.Simd.Compute(x, 1, threads: 1), MomentsBackend.Simd.Compute(x, 1, threads: 2));
    }

    [Fact]
    public void LargeTensorsGiveTheSameSumsOnAnyThreadCount()
    {
        var x = TensorView<float>.Create(Array.ConvertAll(Data(8256, 256, seed: 6), v => (float)v), 8256, 256);

        Assert.Equal(MomentsBackend.Simd.Compute(x, 1, threads: 1), MomentsBackend.Simd.Compute(x, 1, threads: 2));
    }

    [Fact]
    public void LargeRowsWithGapsBetweenThemMatchDoubleSums()
    {
        // Every row of 288 values keeps its first 256: rows 288 apart, so no band is contiguous and nothing is prefetched.
        const int rows = 8000;
        var data = Data(rows, 288, seed: 9);
        var x = TensorView<float>.Create(Array.ConvertAll(data, v => (float)v), rows, 288).Slice(1, 0, 256);

        var moments = MomentsBackend.Simd.Compute(x, 1, threads: 2);

        var kept = new double[rows * 256];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < 256; c++)
            {
                kept[(r * 256) + c] = (float)data[(r * 288) + c];
            }
        }

        var (mean, m2) = MomentsAssert.RowReference(kept, rows, 256);
        AssertClose(mean, moments.Mean, 1e-6, "mean");
        AssertClose(m2, moments.M2, 1e-4, "M2");
    }

    [Theory]
    [InlineData(200, 136)]
    [InlineData(8256, 272)] // beyond 8 MB: both inputs read from memory, their next bands prefetched
    public void TheGradientSumsOfWideRowsMatchDoubleSums(int rows, int channels)
    {
        var xs = Array.ConvertAll(Data(rows, channels, seed: 11), v => (float)v);
        var dys = Array.ConvertAll(Data(rows, channels, seed: 12), v => (float)(v - 1000));
        var x = TensorView<float>.Create(xs, rows, channels);
        var dy = TensorView<float>.Create(dys, rows, channels);
        var config = new BatchNormConfig { Epsilon = 1e-3 };

        var train = BatchNorm.Train(x, BatchNormState<float>.Init(channels, config), config);
        var gradients = BatchNorm.Backward(dy, train);

        var (mean, _) = MomentsAssert.RowReference(Array.ConvertAll(xs, v => (double)v), rows, channels);
        for (int c = 0; c < channels; c++)
        {
            double sumDy = 0;
            double dot = 0;
            double magnitude = 0;
            for (int r = 0; r < rows; r++)
            {
                double term = dys[(r * channels) + c] * (xs[(r * channels) + c] - mean[c]);
                sumDy += dys[(r * channels) + c];
                dot += term;
                magnitude += Math.Abs(term);
            }

            // Float partial sums round each term (≈ 6e-8 relative) and add up to 64 of them before folding into
            // double: their error is bounded by about 64 · 2⁻²⁴ of the sum of |terms|, whatever the cancellation.
            double expectedGamma = dot * train.InverseStd[c];
            Assert.True(Math.Abs(gradients.BetaGradient![c] - sumDy) <= 1e-5 * Math.Max(1, Math.Abs(sumDy)), $"dbeta[{c}]");
            Assert.True(
                Math.Abs(gradients.GammaGradient![c] - expectedGamma) <= (4e-6 * magnitude * train.InverseStd[c]) + 1e-6,
                $"dgamma[{c}]: expected {expectedGamma}, got {gradients.GammaGradient![c]}");
        }
    }

    /// <summary>Values around 1000 + channel with a spread of about 1: a shift-free float sum would lose the variance.</summary>
    private static double[] Data(int rows, int channels, int seed)
    {
        var random = new Random(seed);
        var data = new double[rows * channels];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = 1000 + (i % channels) + (random.NextDouble() * 2) - 1;
        }

        return data;
    }

    private static void AssertClose(double[] expected, IReadOnlyList<double> actual, double relative, string what)
    {
        Assert.Equal(expected.Length, actual.Count);
        for (int c = 0; c < expected.Length; c++)
        {
            double allowed = relative * Math.Max(1, Math.Abs(expected[c]));
            Assert.True(Math.Abs(actual[c] - expected[c]) <= allowed, $"{what} of channel {c}: expected {expected[c]:R} ± {allowed:G3}, got {actual[c]:R}");
        }
    }
}
