using MathNet.Numerics.Statistics;

namespace BnNative.Testing;

/// <summary>
/// The moments oracle: the logical values gathered per channel and summarized by MathNet.Numerics, an implementation
/// independent of BnNative (<see cref="Statistics.Mean(IEnumerable{double})"/>,
/// <see cref="Statistics.PopulationVariance(IEnumerable{double})"/>, <see cref="Statistics.Variance(IEnumerable{double})"/>, in double), plus the magnitudes a tolerance scales with
/// (<see cref="MaxAbs"/>, <see cref="MaxDeviation"/>).
/// </summary>
public sealed class ChannelStatistics
{
    private ChannelStatistics(double[][] samples)
    {
        Count = samples[0].Length;
        Mean = samples.Select(s => s.Mean()).ToArray();
        Variance = samples.Select(s => s.PopulationVariance()).ToArray();
        SampleVariance = samples.Select(s => s.Length > 1 ? s.Variance() : double.NaN).ToArray();
        MaxAbs = samples.Select(s => s.MaximumAbsolute()).ToArray();
        MaxDeviation = samples.Select((s, c) => s.Max(x => Math.Abs(x - Mean[c]))).ToArray();
    }

    /// <summary>Elements per channel, n.</summary>
    public long Count { get; }

    /// <summary>Per-channel mean, Σx/n.</summary>
    public double[] Mean { get; }

    /// <summary>Per-channel population (biased) variance, Σ(x − mean)²/n: what batch normalization divides by.</summary>
    public double[] Variance { get; }

    /// <summary>Per-channel sample (unbiased) variance, Σ(x − mean)²/(n − 1); NaN when a channel has a single element.</summary>
    public double[] SampleVariance { get; }

    /// <summary>Per-channel largest |x|, A.</summary>
    public double[] MaxAbs { get; }

    /// <summary>Per-channel largest |x − mean|, D.</summary>
    public double[] MaxDeviation { get; }

    /// <summary>Number of channels.</summary>
    public int Channels => Mean.Length;

    /// <summary>Gathers the row-major <paramref name="values"/> of a tensor with <paramref name="lengths"/> by channel and summarizes each channel.</summary>
    /// <param name="lengths">Axis lengths, each ≥ 1.</param>
    /// <param name="channelAxis">The channel axis, in [0, rank).</param>
    /// <param name="values">Π lengths values in logical row-major order. NaN and ±∞ propagate into the statistics.</param>
    /// <exception cref="ArgumentNullException">An array is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="lengths"/> is empty or holds a length below 1, or
    /// <paramref name="values"/> does not hold Π lengths values.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="channelAxis"/> is outside [0, rank).</exception>
    public static ChannelStatistics Of(int[] lengths, int channelAxis, IReadOnlyList<double> values)
    {
        var channel = ChannelIndex.Of(lengths, channelAxis);
        ArgumentChecks.Length(values, ChannelIndex.Product(lengths), $"the product of lengths [{string.Join(", ", lengths)}]");
        var samples = Enumerable.Range(0, channel.Channels).Select(_ => new List<double>(values.Count / channel.Channels)).ToArray();
        for (int i = 0; i < values.Count; i++)
        {
            samples[channel.At(i)].Add(values[i]);
        }

        return new ChannelStatistics(samples.Select(s => s.ToArray()).ToArray());
    }
}
