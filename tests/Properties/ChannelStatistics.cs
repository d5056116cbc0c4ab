using MathNet.Numerics.Statistics;

namespace BnNative.Tests.Properties;

/// <summary>
/// The independent oracle: the logical values gathered per channel and summarized by MathNet.Numerics
/// (<see cref="Statistics.Mean"/>, <see cref="Statistics.PopulationVariance"/>, <see cref="Statistics.Variance"/>),
/// plus the magnitudes that scale a tolerance (<see cref="MaxAbs"/>, <see cref="MaxDeviation"/>).
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

    /// <summary>Elements per channel.</summary>
    public long Count { get; }

    /// <summary>Per-channel mean.</summary>
    public double[] Mean { get; }

    /// <summary>Per-channel population (biased) variance.</summary>
    public double[] Variance { get; }

    /// <summary>Per-channel sample (unbiased) variance; NaN when a channel has a single element.</summary>
    public double[] SampleVariance { get; }

    /// <summary>Per-channel largest |x|.</summary>
    public double[] MaxAbs { get; }

    /// <summary>Per-channel largest |x − mean|.</summary>
    public double[] MaxDeviation { get; }

    /// <summary>Number of channels.</summary>
    public int Channels => Mean.Length;

    /// <summary>Gathers the row-major <paramref name="values"/> of a tensor with <paramref name="lengths"/> by channel.</summary>
    public static ChannelStatistics Of(int[] lengths, int channelAxis, double[] values)
    {
        var channel = ChannelIndex.Of(lengths, channelAxis);
        var samples = Enumerable.Range(0, channel.Channels).Select(_ => new List<double>(values.Length / channel.Channels)).ToArray();
        for (int i = 0; i < values.Length; i++)
        {
            samples[channel.At(i)].Add(values[i]);
        }

        return new ChannelStatistics(samples.Select(s => s.ToArray()).ToArray());
    }
}
