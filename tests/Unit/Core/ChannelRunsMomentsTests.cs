using BnNative.Moments;
using BnNative.Normalization;
using BnNative.Tensors;

namespace BnNative.Tests.Core;

/// <summary>
/// Channels-outer tensors (NCHW) are summed run by run: four chains of vectors, folded every 64 periods, with what is
/// left after the last whole period joining the chains (one vector per chain, the last partial vector read overlapping
/// the one before it), and runs shorter than a vector summed element by element. Every run length around those
/// boundaries, for 256- and 512-bit vectors alike, must agree with double-precision sums, with data far from zero.
/// </summary>
public sealed class ChannelRunsMomentsTests
{
    /// <summary>Run lengths: below, at and above one vector, one period (four vectors), the remainder's cases, one fold block (64 periods) and beyond.</summary>
    public static TheoryData<int> RunLengths => new()
    {
        1, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 47, 48, 49, 63, 64, 65, 100, 196, 255, 256, 257,
        2047, 2048, 2049, 4095, 4096, 4097, 4096 + 50, 4096 + 63, 8192 + 200,
    };

    [Theory]
    [MemberData(nameof(RunLengths))]
    public void FloatMomentsOfEveryRunLengthMatchDoubleSums(int inner)
    {
        var (data, lengths) = Data(inner, seed: inner);
        var x = TensorView<float>.Create(Array.ConvertAll(data, v => (float)v), lengths);

        var moments = MomentsBackend.Simd.Compute(x, 1, threads: 1);

        var (mean, m2) = Reference(Array.ConvertAll(data, v => (double)(float)v), lengths);
        Close(mean, moments.Mean, 1e-6, "mean");
        Close(m2, moments.M2, 1e-4, "M2");
    }

    [Theory]
    [MemberData(nameof(RunLengths))]
    public void DoubleMomentsOfEveryRunLengthMatchDoubleSums(int inner)
    {
        var (data, lengths) = Data(inner, seed: 2 * inner);
        var x = TensorView<double>.Create(data, lengths);

        var moments = MomentsBackend.Simd.Compute(x, 1, threads: 2);

        var (mean, m2) = Reference(data, lengths);
        Close(mean, moments.Mean, 1e-12, "mean");
        Close(m2, moments.M2, 1e-9, "M2");
    }

    /// <summary>
    /// Runs that follow one another in memory (a contiguous [N, C, inner] tensor) take a loop of their own; the same
    /// runs seen as channels 1..C of an [N, C + 2, inner] buffer take the general walk. Both must give the same bits,
    /// on one thread and on two, including a run far from its channel's shift, which fails the cancellation test and is
    /// recomputed exactly.
    /// </summary>
    [Theory]
    [InlineData(196, 1)]
    [InlineData(196, 2)]
    [InlineData(49, 2)]
    [InlineData(7, 1)]
    [InlineData(4096, 2)]
    public void ContiguousRunsGiveTheBitsOfTheGeneralWalk(int inner, int threads)
    {
        const int N = 6;
        const int C = 40;
        var random = new Random((inner * 3) + threads);
        var wide = new float[N * (C + 2) * inner];
        var wideDy = new float[wide.Length];
        for (int k = 0; k < wide.Length; k++)
        {
            wide[k] = 1000 + (random.NextSingle() * 4);
            wideDy[k] = random.NextSingle() - 0.5f;
        }

        // Batch 3, channel 5 (buffer channel 6): about 5000 where every other run of channel 5 is about 1000.
        for (int i = 0; i < inner; i++)
        {
            wide[(((3 * (C + 2)) + 6) * inner) + i] = 5000 + random.NextSingle();
        }

        var strided = TensorView<float>.Create(wide, N, C + 2, inner).Slice(1, 1, C);
        var contiguous = TensorView<float>.Create(strided.ToArray(), N, C, inner);
        Assert.Equal(MomentsBackend.Simd.Compute(strided, 1, threads), MomentsBackend.Simd.Compute(contiguous, 1, threads));
        var far = MomentsBackend.Simd.Compute(contiguous, 1, threads);
        var farRuns = Enumerable.Range(0, N).SelectMany(o => Enumerable.Range(0, inner).Select(i => (double)contiguous.Memory.Span[(((o * C) + 5) * inner) + i])).ToArray();
        double farMean = farRuns.Average();
        Assert.Equal(farMean, far.Mean[5], 1e-9 * farMean);
        Assert.Equal(farRuns.Sum(v => (v - farMean) * (v - farMean)), far.M2[5], 1e-6 * far.M2[5]);

        var stridedDy = TensorView<float>.Create(wideDy, N, C + 2, inner).Slice(1, 1, C);
        var contiguousDy = TensorView<float>.Create(stridedDy.ToArray(), N, C, inner);
        var mean = Enumerable.Range(0, C).Select(c => 1001 + (c * 1e-3)).ToArray();
        using var table = GradientSumsAssert.MeanTable(mean);
        double[] walkDy = new double[C], walkCentered = new double[C], runsDy = new double[C], runsCentered = new double[C];
        ChannelKernels.GradientSums(strided, stridedDy, 1, table, mean, walkDy, walkCentered, threads);
        ChannelKernels.GradientSums(contiguous, contiguousDy, 1, table, mean, runsDy, runsCentered, threads);
        Assert.Equal(walkDy, runsDy);
        Assert.Equal(walkCentered, runsCentered);
    }

    [Theory]
    [InlineData(7)]
    [InlineData(49)]
    [InlineData(196)]
    [InlineData(4097)]
    public void GradientSumsOfRunsMatchDoubleSums(int inner)
    {
        var (data, lengths) = Data(inner, seed: 3 * inner);
        var xs = Array.ConvertAll(data, v => (float)v);
        var dys = Array.ConvertAll(Data(inner, seed: (3 * inner) + 1).Values, v => (float)(v - 1000));
        var config = new BatchNormConfig { Epsilon = 1e-3, Axis = 1 };
        var train = BatchNorm.Train(TensorView<float>.Create(xs, lengths), BatchNormState<float>.Init(lengths[1], config), config);

        var gradients = BatchNorm.Backward(TensorView<float>.Create(dys, lengths), train);

        var (mean, _) = Reference(Array.ConvertAll(xs, v => (double)v), lengths);
        for (int c = 0; c < lengths[1]; c++)
        {
            double sumDy = 0;
            double dot = 0;
            double magnitude = 0;
            for (int n = 0; n < lengths[0]; n++)
            {
                for (int i = 0; i < inner; i++)
                {
                    int k = (((n * lengths[1]) + c) * inner) + i;
                    sumDy += dys[k];
                    dot += dys[k] * (xs[k] - mean[c]);
                    magnitude += Math.Abs(dys[k] * (xs[k] - mean[c]));
                }
            }

            // As for rows of channels: float partial sums of at most 64 terms per lane, then double.
            Assert.True(Math.Abs(gradients.BetaGradient![c] - sumDy) <= 1e-5 * Math.Max(1, Math.Abs(sumDy)), $"dbeta[{c}]");
            Assert.True(
                Math.Abs(gradients.GammaGradient![c] - (dot * train.InverseStd[c])) <= (4e-6 * magnitude * train.InverseStd[c]) + 1e-6,
                $"dgamma[{c}]");
        }
    }

    /// <summary>[3, 5, inner] values around 1000 + 10·channel with a spread of about 1: a shift-free float sum would lose the variance.</summary>
    private static (double[] Values, int[] Lengths) Data(int inner, int seed)
    {
        int[] lengths = [3, 5, inner];
        var random = new Random(seed);
        var data = new double[3 * 5 * inner];
        for (int k = 0; k < data.Length; k++)
        {
            data[k] = 1000 + (10 * (k / inner % 5)) + (random.NextDouble() * 2) - 1;
        }

        return (data, lengths);
    }

    private static (double[] Mean, double[] M2) Reference(double[] data, int[] lengths)
    {
        int channels = lengths[1];
        int inner = lengths[2];
        var mean = new double[channels];
        var m2 = new double[channels];
        long n = (long)lengths[0] * inner;
        for (int k = 0; k < data.Length; k++)
        {
            mean[k / inner % channels] += data[k] / n;
        }

        for (int k = 0; k < data.Length; k++)
        {
            double d = data[k] - mean[k / inner % channels];
            m2[k / inner % channels] += d * d;
        }

        return (mean, m2);
    }

    private static void Close(double[] expected, IReadOnlyList<double> actual, double relative, string what)
    {
        for (int c = 0; c < expected.Length; c++)
        {
            double allowed = relative * Math.Max(1, Math.Abs(expected[c]));
            Assert.True(Math.Abs(actual[c] - expected[c]) <= allowed, $"{what} of channel {c}: expected {expected[c]:R} ± {allowed:G3}, got {actual[c]:R}");
        }
    }
}
