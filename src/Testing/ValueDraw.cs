namespace BnNative.Testing;

/// <summary>
/// Draws the values of a tensor from <paramref name="random"/>: the elements of a tensor with
/// <paramref name="lengths"/> in logical row-major order, knowing which axis holds the channels. A draw must return
/// bounded, finite values and use only <paramref name="random"/> for randomness, so that a case replays from its seed.
/// </summary>
/// <param name="random">The case's seeded source of randomness.</param>
/// <param name="lengths">Axis lengths, logical order.</param>
/// <param name="channelAxis">The channel axis, in [0, rank).</param>
/// <returns>Π lengths values, row-major.</returns>
public delegate double[] ValueDraw(Random random, int[] lengths, int channelAxis);

/// <summary>
/// The value distributions of the generators: data with a chosen offset and scale per channel, and the building blocks
/// for writing another <see cref="ValueDraw"/>.
/// </summary>
public static class ValueDraws
{
    /// <summary>
    /// <see cref="UniformAroundChannelOffsets"/>(1000, 100): uniform in [−100, 100] plus a per-channel offset uniform in
    /// [−1000, 1000], so means are large next to the spread and a formula that cancels (E[x²] − E[x]²) shows.
    /// </summary>
    public static ValueDraw Standard { get; } = UniformAroundChannelOffsets(1000, 100);

    /// <summary>
    /// <see cref="NormalOrTwoPoint"/>(1e4, 1): mean 1e4, standard deviation 1, the float32 hard case where a one-pass
    /// E[x²] − E[x]² (the ulp of 1e8 is 8) loses the whole variance.
    /// </summary>
    public static ValueDraw NearTenThousand { get; } = NormalOrTwoPoint(1e4, 1);

    /// <summary>
    /// x = o_c + U(−<paramref name="halfWidth"/>, <paramref name="halfWidth"/>) with one offset o_c per channel drawn
    /// uniform in [−<paramref name="maxOffset"/>, <paramref name="maxOffset"/>] (the offsets are drawn first, in
    /// channel order, then the elements in row-major order).
    /// </summary>
    /// <param name="maxOffset">Largest |offset| of a channel, finite and ≥ 0.</param>
    /// <param name="halfWidth">Half the width of each channel's spread, finite and ≥ 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is negative, infinite or NaN.</exception>
    public static ValueDraw UniformAroundChannelOffsets(double maxOffset, double halfWidth)
    {
        ArgumentChecks.NonNegativeFinite(maxOffset);
        ArgumentChecks.NonNegativeFinite(halfWidth);
        return (random, lengths, channelAxis) =>
        {
            var index = ChannelIndex.Of(lengths, channelAxis);
            var offsets = Enumerable.Range(0, index.Channels).Select(_ => Uniform(random, -maxOffset, maxOffset)).ToArray();
            return PerElement(lengths, channelAxis, c => offsets[c] + Uniform(random, -halfWidth, halfWidth));
        };
    }

    /// <summary>
    /// Mean <paramref name="mean"/>, standard deviation <paramref name="standardDeviation"/>: with probability ½ per
    /// tensor every element is mean + sd·N(0, 1), else every element is mean ± sd with equal probability (two-point
    /// data, whose spread is exactly the standard deviation).
    /// </summary>
    /// <param name="mean">The mean, finite.</param>
    /// <param name="standardDeviation">The standard deviation, finite and ≥ 0.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="mean"/> is not finite, or <paramref name="standardDeviation"/> is negative, infinite or NaN.</exception>
    public static ValueDraw NormalOrTwoPoint(double mean, double standardDeviation)
    {
        if (!double.IsFinite(mean))
        {
            throw new ArgumentOutOfRangeException(nameof(mean), mean, $"mean must be finite, got {mean}.");
        }

        ArgumentChecks.NonNegativeFinite(standardDeviation);
        return (random, lengths, channelAxis) =>
        {
            bool twoPoint = random.Next(2) == 0;
            return PerElement(
                lengths, channelAxis, _ => mean + (standardDeviation * (twoPoint ? (random.Next(2) * 2) - 1 : StandardNormal(random))));
        };
    }

    /// <summary>
    /// The row-major values of a tensor with <paramref name="lengths"/>, element by element in row-major order:
    /// <paramref name="valueOfChannel"/>(the element's channel).
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="lengths"/> is empty or holds a length below 1.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="channelAxis"/> is outside [0, rank).</exception>
    public static double[] PerElement(int[] lengths, int channelAxis, Func<int, double> valueOfChannel)
    {
        ArgumentNullException.ThrowIfNull(valueOfChannel);
        var channel = ChannelIndex.Of(lengths, channelAxis);
        var values = new double[ChannelIndex.Product(lengths)];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = valueOfChannel(channel.At(i));
        }

        return values;
    }

    /// <summary>Uniform in [<paramref name="low"/>, <paramref name="high"/>): low + (high − low)·<see cref="Random.NextDouble"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="random"/> is null.</exception>
    public static double Uniform(Random random, double low, double high)
    {
        ArgumentNullException.ThrowIfNull(random);
        return low + ((high - low) * random.NextDouble());
    }

    /// <summary>A standard normal deviate by the Box–Muller transform, sqrt(−2 ln(1 − U₁))·cos(2πU₂).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="random"/> is null.</exception>
    public static double StandardNormal(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        return Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
    }
}
