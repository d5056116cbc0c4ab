using BnNative.Moments;
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
