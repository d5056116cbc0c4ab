using BnNative.Kernels;
using BnNative.Moments;
using BnNative.Normalization;
using BnNative.Tensors;

namespace BnNative.Tests.Core;

/// <summary>Checks that an argument error has the exact exception type and names the right parameter.</summary>
internal static class ParamAssert
{
    /// <summary>Asserts <paramref name="action"/> throws exactly <typeparamref name="TException"/> naming <paramref name="paramName"/>.</summary>
    public static TException Throws<TException>(string paramName, Action action)
        where TException : ArgumentException =>
        Throws<TException>(paramName, () =>
        {
            action();
            return null;
        });

    /// <summary>As <see cref="Throws{TException}(string, Action)"/>, for an expression with a value (an indexer, a property).</summary>
    public static TException Throws<TException>(string paramName, Func<object?> expression)
        where TException : ArgumentException
    {
        var exception = Assert.Throws<TException>(expression);
        Assert.Equal(paramName, exception.ParamName);
        return exception;
    }
}

/// <summary>Comparisons of computed moments with values worked out by hand.</summary>
internal static class MomentsAssert
{
    /// <summary>
    /// Relative tolerance for statistics of float32 input: |actual − expected| ≤ 1e-5 · max(1, |expected|).
    /// The hand-worked inputs are small integers (exact in float), so only float partial sums inside a backend
    /// round (float ulp ≈ 6e-8 relative); 1e-5 leaves room for ~100 such roundings while every formula error
    /// these tests target (a lost variance, a wrong divisor, a wrong channel) is of order 1.
    /// </summary>
    public const double FloatTolerance = 1e-5;

    /// <summary>Asserts count, per-channel mean and per-channel M2 within <see cref="FloatTolerance"/>.</summary>
    public static void Close(BatchMoments actual, long count, double[] mean, double[] m2)
    {
        Assert.Equal(count, actual.Count);
        Close(mean, actual.Mean, "mean");
        Close(m2, actual.M2, "M2");
    }

    /// <summary>
    /// Asserts that the simd backend's moments of <paramref name="x"/> (rows of channels, axis 1), through whatever
    /// shortcut it takes on <paramref name="threads"/> threads, are bit for bit those of its general path with
    /// per-channel accumulators on one thread.
    /// </summary>
    public static void SameBitsAsAccumulators<T>(TensorView<T> x, int threads = 1)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        int channels = x.Lengths[1];
        var fastMean = new double[channels];
        var fastM2 = new double[channels];
        var slotsMean = new double[channels];
        var slotsM2 = new double[channels];

        long count = MomentsBackend.Simd.ComputeInto(x, 1, threads, fastMean, fastM2);
        long slotsCount = ((ShiftedSumsBackend)MomentsBackend.Simd).ComputeWithSlots(x, 1, 1, slotsMean, slotsM2, oneWindow: false);

        Assert.Equal(slotsCount, count);
        for (int c = 0; c < channels; c++)
        {
            Assert.True(
                BitConverter.DoubleToInt64Bits(slotsMean[c]) == BitConverter.DoubleToInt64Bits(fastMean[c])
                && BitConverter.DoubleToInt64Bits(slotsM2[c]) == BitConverter.DoubleToInt64Bits(fastM2[c]),
                $"channel {c}: mean {fastMean[c]:R} / {slotsMean[c]:R}, M2 {fastM2[c]:R} / {slotsM2[c]:R} (shortcut / accumulators)");
        }
    }

    /// <summary>
    /// Asserts that rows × channels floats of about 1000 (1000 + [0, 1) from <paramref name="seed"/>) with 0 in channel
    /// <paramref name="channel"/> at <paramref name="zeroRows"/> give the accumulators' bits and, in that channel, the
    /// mean and M2 of two passes in double to 1e-9: where the zero rows are the shift's samples, the channel's shift is 0,
    /// its shifted sums cancel, and the block must be recomputed exactly.
    /// </summary>
    public static void CancellingChannelIsExact(int seed, int rows, int channels, int channel, params int[] zeroRows)
    {
        var random = new Random(seed);
        var values = new float[rows * channels];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < channels; c++)
            {
                values[(r * channels) + c] = c == channel && zeroRows.Contains(r) ? 0f : 1000f + random.NextSingle();
            }
        }

        var x = TensorView<float>.Create(values, rows, channels);
        SameBitsAsAccumulators(x);

        var moments = MomentsBackend.Simd.Compute(x, 1);
        var (mean, m2) = RowReference(Array.ConvertAll(values, v => (double)v), rows, channels);
        Assert.Equal(mean[channel], moments.Mean[channel], 1e-9 * mean[channel]);
        Assert.Equal(m2[channel], moments.M2[channel], 1e-9 * m2[channel]);
    }

    /// <summary>Rows × channels doubles near 10⁴ (1e4 + [0, 3)), from <paramref name="seed"/>.</summary>
    public static TensorView<double> FarDoubles(int seed, int rows, int channels)
    {
        var random = new Random(seed);
        var data = new double[rows * channels];
        for (int k = 0; k < data.Length; k++)
        {
            data[k] = 1e4 + (random.NextDouble() * 3);
        }

        return TensorView<double>.Create(data, rows, channels);
    }

    /// <summary>Per-channel mean and M2 of <paramref name="data"/> as rows of channels, two passes in double (the oracle of the row tests).</summary>
    public static (double[] Mean, double[] M2) RowReference(double[] data, int rows, int channels)
    {
        var mean = new double[channels];
        var m2 = new double[channels];
        for (int c = 0; c < channels; c++)
        {
            double sum = 0;
            for (int r = 0; r < rows; r++)
            {
                sum += data[(r * channels) + c];
            }

            mean[c] = sum / rows;
            for (int r = 0; r < rows; r++)
            {
                double d = data[(r * channels) + c] - mean[c];
                m2[c] += d * d;
            }
        }

        return (mean, m2);
    }

    /// <summary>Asserts two vectors have the same length and agree element-wise within <see cref="FloatTolerance"/>.</summary>
    public static void Close(IReadOnlyList<double> expected, IReadOnlyList<double> actual, string what = "variance")
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int c = 0; c < expected.Count; c++)
        {
            double allowed = FloatTolerance * Math.Max(1, Math.Abs(expected[c]));
            Assert.True(
                Math.Abs(actual[c] - expected[c]) <= allowed,
                $"{what} of channel {c}: expected {expected[c]:R} ± {allowed:G3}, got {actual[c]:R}");
        }
    }
}

/// <summary>Tensors with known contents.</summary>
internal static class TestTensors
{
    /// <summary>A row-major float tensor whose element at buffer index k holds k (so every value names its slot).</summary>
    public static TensorView<float> Iota(params int[] lengths)
    {
        var shape = TensorShape.RowMajor(lengths);
        var data = new float[shape.ElementCount];
        for (int k = 0; k < data.Length; k++)
        {
            data[k] = k;
        }

        return new TensorView<float>(data, shape);
    }

    /// <summary>A row-major float tensor of values uniform in [−1, 3) from a fixed seed.</summary>
    public static TensorView<float> Random(int seed, params int[] lengths)
    {
        var shape = TensorShape.RowMajor(lengths);
        var random = new Random(seed);
        var data = new float[shape.ElementCount];
        for (int k = 0; k < data.Length; k++)
        {
            data[k] = (random.NextSingle() * 4) - 1;
        }

        return new TensorView<float>(data, shape);
    }

    /// <summary>
    /// <paramref name="values"/> as <paramref name="rows"/> rows of <paramref name="channels"/>, each stored
    /// <paramref name="gap"/> elements further on than the last ended, seen through a slice (rows that are not contiguous).
    /// </summary>
    public static TensorView<float> PaddedRows(float[] values, int rows, int channels, int gap)
    {
        var storage = new float[rows * (channels + gap)];
        for (int r = 0; r < rows; r++)
        {
            values.AsSpan(r * channels, channels).CopyTo(storage.AsSpan(r * (channels + gap)));
        }

        return TensorView<float>.Create(storage, rows, channels + gap).Slice(1, 0, channels);
    }
}

/// <summary>Comparisons of the backward pass's gradient sums (Σdy, Σ(x − mean)·dy) between their paths.</summary>
internal static class GradientSumsAssert
{
    /// <summary>The gradient sums' table: row 0 holds the mean rounded to float (m_hi), sealed.</summary>
    public static CoefficientTable<float> MeanTable(double[] mean)
    {
        var table = new CoefficientTable<float>(mean.Length, 1);
        for (int c = 0; c < mean.Length; c++)
        {
            table.Row(0)[c] = (float)mean[c];
        }

        table.Seal();
        return table;
    }

    /// <summary>
    /// Asserts that <see cref="ChannelKernels.GradientSums"/> of x and dy (rows of channels), through whatever shortcut
    /// it takes, adds bit for bit what the general path with per-channel accumulators adds; both start from the same
    /// non-zero sums (the pass adds onto them: chunks of a ghost batch accumulate). The shortcut runs on
    /// <paramref name="threads"/> threads, the general path on one. Returns the shortcut's Σdy.
    /// </summary>
    public static double[] SameBitsAsAccumulators(TensorView<float> x, TensorView<float> dy, double[] mean, int threads = 1)
    {
        int channels = mean.Length;
        using var table = MeanTable(mean);
        double[] fastDy = Enumerable.Repeat(0.25, channels).ToArray(), fastCentered = Enumerable.Repeat(-0.5, channels).ToArray();
        double[] slotsDy = Enumerable.Repeat(0.25, channels).ToArray(), slotsCentered = Enumerable.Repeat(-0.5, channels).ToArray();
        ChannelKernels.GradientSums(x, dy, 1, table, mean, fastDy, fastCentered, threads);
        ChannelKernels.GradientSumsWithSlots(x, dy, 1, table, mean, slotsDy, slotsCentered, threads: 1, oneWindow: false);

        for (int c = 0; c < channels; c++)
        {
            Assert.Equal(BitConverter.DoubleToInt64Bits(slotsDy[c]), BitConverter.DoubleToInt64Bits(fastDy[c]));
            Assert.Equal(BitConverter.DoubleToInt64Bits(slotsCentered[c]), BitConverter.DoubleToInt64Bits(fastCentered[c]));
        }

        return fastDy;
    }
}
