using BnNative.Moments;
using BnNative.Tensors;

namespace BnNative.Tests.Core;

/// <summary>
/// Moments worked out by hand, on every backend, compared within <see cref="MomentsAssert.FloatTolerance"/>.
/// The 2×2×1×2 batch used throughout: channel 0 holds {1, 2, 3, 6} (mean 3, M2 4 + 1 + 0 + 9 = 14), channel 1
/// holds {10, 20, 30, 40} (mean 25, M2 225 + 25 + 25 + 225 = 500).
/// </summary>
public sealed class HandWorkedMomentsTests
{
    /// <summary>The 2×2×1×2 batch stored NCHW.</summary>
    private static readonly float[] Nchw = [1, 2, 10, 20, 3, 6, 30, 40];

    /// <summary>The same batch stored NHWC (2×1×2×2).</summary>
    private static readonly float[] Nhwc = [1, 10, 2, 20, 3, 30, 6, 40];

    /// <summary>The same batch stored NCHW with a third, junk column along W (2×2×1×3).</summary>
    private static readonly float[] NchwPadded = [1, 2, -999, 10, 20, 999, 3, 6, 1e6f, 30, 40, -1e6f];

    [BackendTheory]
    public void RankTwoRows(string backend)
    {
        var x = TensorView<float>.Create(new float[] { 1, 2, 3, 4, 5, 6 }, 3, 2);

        var moments = TestBackends.Get(backend).Compute(x, 1);

        AssertRankTwo(moments);
        Assert.Equal(moments, TestBackends.Get(backend).Compute(x, -1));
    }

    [BackendTheory]
    public void RankTwoRowsInDouble(string backend)
    {
        var x = TensorView<double>.Create(new double[] { 1, 2, 3, 4, 5, 6 }, 3, 2);

        AssertRankTwo(TestBackends.Get(backend).Compute(x, 1));
    }

    [BackendTheory]
    public void RankFourStoredNchw(string backend)
    {
        AssertRankFour(TestBackends.Get(backend).Compute(TensorView<float>.Create(Nchw, 2, 2, 1, 2), 1));
    }

    [BackendTheory]
    public void RankFourStoredNhwc(string backend)
    {
        var x = TensorView<float>.Create(Nhwc, 2, 1, 2, 2);

        AssertRankFour(TestBackends.Get(backend).Compute(x, ChannelAxis.Resolve(4, DataFormat.ChannelsLast)));
    }

    [BackendTheory]
    public void RankFourNchwMemoryViewedAsNhwc(string backend)
    {
        var x = TensorView<float>.Create(Nchw, 2, 2, 1, 2).Permute(0, 2, 3, 1);

        AssertRankFour(TestBackends.Get(backend).Compute(x, 3));
    }

    [BackendTheory]
    public void RankFourNchwSlicedAlongWidth(string backend)
    {
        var x = TensorView<float>.Create(NchwPadded, 2, 2, 1, 3).Slice(3, 0, 2);

        AssertRankFour(TestBackends.Get(backend).Compute(x, 1));
    }

    [BackendTheory]
    public void RankFourNchwInDouble(string backend)
    {
        var x = TensorView<double>.Create(Array.ConvertAll(Nchw, v => (double)v), 2, 2, 1, 2);

        AssertRankFour(TestBackends.Get(backend).Compute(x, ChannelAxis.Resolve(4, DataFormat.ChannelsFirst)));
    }

    /// <summary>SPEC §3: x ∈ {9999, 10001} has variance 1; E[x²] − E[x]² in float32 returns 0.</summary>
    [BackendTheory]
    public void CancellationPairHasVarianceOne(string backend)
    {
        var x = TensorView<float>.Create(new float[] { 9999, 10001 }, 2, 1);

        var moments = TestBackends.Get(backend).Compute(x, 1);

        MomentsAssert.Close(moments, 2, [10000], [2]);
        MomentsAssert.Close([1.0], moments.Variance());
    }

    /// <summary>
    /// The cancellation case long enough for vector kernels and several folds: channels innermost ([1024, 3], rows
    /// alternate) and contiguous runs per channel (NCL [4, 3, 256], elements alternate).
    /// </summary>
    [BackendTheory]
    public void CancellationRowsAndRunsHaveVarianceOne(string backend)
    {
        var moments = TestBackends.Get(backend);
        var rows = moments.Compute(TensorView<float>.Create(Alternating(1024 * 3, period: 3), 1024, 3), 1);
        var runs = moments.Compute(TensorView<float>.Create(Alternating(4 * 3 * 256, period: 1), 4, 3, 256), 1);

        foreach (var result in new[] { rows, runs })
        {
            MomentsAssert.Close(result, 1024, [10000, 10000, 10000], [1024, 1024, 1024]);
            MomentsAssert.Close([1.0, 1.0, 1.0], result.Variance());
        }
    }

    /// <summary>
    /// Channel c of n = N·L samples alternates between c − (c + 1) and c + (c + 1): mean c, M2 n·(c + 1)². The
    /// shapes reach every kernel path: rows ([N, C]) with fewer channels than a vector, whole vectors, vectors plus a
    /// tail and more than fit in registers; runs (NCL) with vector blocks plus a scalar tail; and inputs cut into
    /// several chunks, rows (50000 rows of 3 channels) and runs (3 pairs per chunk, so chunks start mid-batch).
    /// </summary>
    [BackendTheory]
    public void AlternatingChannelsThroughEveryKernelPath(string backend)
    {
        var moments = TestBackends.Get(backend);
        var shapes = new (int Batches, int Channels, int Inner)[]
        {
            (600, 3, 1), (600, 8, 1), (600, 11, 1), (600, 64, 1), (600, 70, 1), (50000, 3, 1),
            (2, 3, 300), (2, 70, 300), (3, 5, 20000),
        };
        foreach (var (batches, channels, inner) in shapes)
        {
            long n = (long)batches * inner;
            double[] mean = [.. Enumerable.Range(0, channels).Select(c => (double)c)];
            double[] m2 = [.. Enumerable.Range(0, channels).Select(c => n * (c + 1.0) * (c + 1.0))];

            var result = moments.Compute(AlternatingChannels(batches, channels, inner), 1);

            MomentsAssert.Close(result, n, mean, m2);
        }
    }

    /// <summary>
    /// The cancellation case behind 8 zeros: every channel holds 8 zeros, then n − 8 values alternating 9999 and
    /// 10001. By Chan's merge of the zeros (8, mean 0, M2 0) with the rest (n − 8, mean 10000, M2 n − 8):
    /// mean = 10000·(n − 8)/n and M2 = (n − 8) + 10000²·8·(n − 8)/n. A backend whose shift comes from the first
    /// samples alone centres the sums at 0, far from the bulk, and the bulk's variance cancels away again.
    /// </summary>
    [BackendTheory]
    public void CancellationBehindAnUnrepresentativeStart(string backend)
    {
        const int n = 1 << 16;
        var rows = new float[n * 2];
        var runs = new float[n * 2];
        for (int k = 8; k < n; k++)
        {
            float value = k % 2 == 0 ? 9999 : 10001;
            rows[(k * 2) + 0] = rows[(k * 2) + 1] = value;
            runs[k] = runs[n + k] = value;
        }

        double mean = 10000.0 * (n - 8) / n;
        double m2 = (n - 8) + (1e8 * 8 * (n - 8) / n);
        var moments = TestBackends.Get(backend);
        MomentsAssert.Close(moments.Compute(TensorView<float>.Create(rows, n, 2), 1), n, [mean, mean], [m2, m2]);
        MomentsAssert.Close(moments.Compute(TensorView<float>.Create(runs, 1, 2, n), 1), n, [mean, mean], [m2, m2]);
    }

    /// <summary>
    /// Cancellation in one lane of a row of eight channels: channel 5 is 0 at the five rows the shift is sampled from
    /// (0, (n − 1)/4, …, n − 1) and 10000 ± 1 everywhere else, so its sums are taken around 0 and every block's
    /// variance cancels away. The vectorized commit of a block's sums must hand channel 5 (inside the second group of
    /// four) to the exact path while channels 0–4 and 6–7 (alternating c ± 1) keep their shifted sums. Expected values:
    /// a two-pass sum in double.
    /// </summary>
    [BackendTheory]
    public void CancellationInOneLaneOfARowOfChannels(string backend)
    {
        const int n = 1 << 12;
        const int channels = 8;
        var samples = Enumerable.Range(0, 5).Select(k => k * (n - 1) / 4).ToHashSet();
        var rows = new float[n * channels];
        for (int k = 0; k < n; k++)
        {
            for (int c = 0; c < channels; c++)
            {
                float wobble = k % 2 == 0 ? -1 : 1;
                rows[(k * channels) + c] = c != 5 ? c + wobble : samples.Contains(k) ? 0 : 10000 + wobble;
            }
        }

        var mean = new double[channels];
        var m2 = new double[channels];
        for (int c = 0; c < channels; c++)
        {
            mean[c] = Enumerable.Range(0, n).Average(k => (double)rows[(k * channels) + c]);
            m2[c] = Enumerable.Range(0, n).Sum(k => Math.Pow(rows[(k * channels) + c] - mean[c], 2));
        }

        MomentsAssert.Close(TestBackends.Get(backend).Compute(TensorView<float>.Create(rows, n, channels), 1), n, mean, m2);
    }

    /// <summary>
    /// NCL data (rank 2 [N, C] when <paramref name="inner"/> is 1) whose channel c alternates between c − (c + 1)
    /// and c + (c + 1) along the reduction index b·L + l.
    /// </summary>
    private static TensorView<float> AlternatingChannels(int batches, int channels, int inner)
    {
        var data = new float[batches * channels * inner];
        for (int b = 0, k = 0; b < batches; b++)
        {
            for (int c = 0; c < channels; c++)
            {
                for (int l = 0; l < inner; l++, k++)
                {
                    bool even = ((b * inner) + l) % 2 == 0;
                    data[k] = c + (even ? -(c + 1) : c + 1);
                }
            }
        }

        return inner == 1 ? TensorView<float>.Create(data, batches, channels) : TensorView<float>.Create(data, batches, channels, inner);
    }

    /// <summary>Blocks of <paramref name="period"/> elements alternating between 9999 and 10001.</summary>
    private static float[] Alternating(int count, int period)
    {
        var data = new float[count];
        for (int k = 0; k < count; k++)
        {
            data[k] = k / period % 2 == 0 ? 9999 : 10001;
        }

        return data;
    }

    /// <summary>x = [[1, 2], [3, 4], [5, 6]]: mean [3, 4], M2 [8, 8], biased variance 8/3, unbiased 4.</summary>
    private static void AssertRankTwo(BatchMoments moments)
    {
        MomentsAssert.Close(moments, 3, [3, 4], [8, 8]);
        MomentsAssert.Close([8.0 / 3, 8.0 / 3], moments.Variance(VarianceEstimator.Biased));
        MomentsAssert.Close([4.0, 4.0], moments.Variance(VarianceEstimator.Unbiased));
    }

    /// <summary>The 2×2×1×2 batch: biased variance [3.5, 125], unbiased [14/3, 500/3].</summary>
    private static void AssertRankFour(BatchMoments moments)
    {
        MomentsAssert.Close(moments, 4, [3, 25], [14, 500]);
        MomentsAssert.Close([3.5, 125.0], moments.Variance(VarianceEstimator.Biased));
        MomentsAssert.Close([14.0 / 3, 500.0 / 3], moments.Variance(VarianceEstimator.Unbiased));
    }
}
