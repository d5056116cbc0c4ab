using BnNative.Tensors;
using BnNative.Tests.Properties.Normalization;
using FsCheck;
using FsCheck.Fluent;
using static BnNative.Testing.NormalizationGenerators;
using static BnNative.Testing.TensorGenerators;

namespace BnNative.Tests.Properties.Distributed;

/// <summary>
/// Generators of ghost, synchronized and renormalized steps, built on the package's <see cref="TensorGenerators"/> and
/// <see cref="NormalizationGenerators"/>: shape first (rank 2 or 4, channels at the data format's axis: rank 2 → axis 1,
/// channels_last rank 4 → axis 3, channels_first rank 4 → axis 1), then how the batch on axis 0 is made up (ghost
/// chunks, replica shares), then the element type, layout, values and state. Every part that is normalized on its own
/// has at least two elements per channel, so that every variance and EMA estimator is defined.
/// </summary>
public static class DistributedGenerators
{
    /// <summary>Fewest channels of a wide case (<see cref="StepSizes"/>).</summary>
    public const int WideChannels = 8;

    /// <summary>Most replicas of a synchronized step.</summary>
    public const int MaxReplicas = 4;

    /// <summary>Most samples of one replica.</summary>
    public const int MaxShare = 4;

    /// <summary>
    /// Ghost steps: V in [1, MaxVirtualBatchSize] (at least 2 when a sample holds one element per channel), 1 to
    /// MaxChunks chunks, so the batch size is V times the chunk count.
    /// </summary>
    public static Gen<GhostCase> GhostSteps(Gen<ElementType> types, StepSizes sizes) =>
        from shape in Shapes(sizes)
        let least = LeastSamples(shape.Spatial)
        from v in Gen.Choose(least, Math.Max(least, sizes.MaxVirtualBatchSize))
        from chunks in Gen.Choose(1, sizes.MaxChunks)
        from tensor in Tensors(shape.Lengths(v * chunks), shape.Channel, types)
        from step in Cases(Gen.Constant(tensor))
        select new GhostCase(step, v);

    /// <summary>
    /// Synchronized steps over 1 to <see cref="MaxReplicas"/> replicas: each share is empty one time in four, a single
    /// sample one time in four, else 2 to <see cref="MaxShare"/> samples; the last share grows when the whole batch would
    /// have fewer than two elements per channel.
    /// </summary>
    public static Gen<SyncCase> SyncSteps(Gen<ElementType> types) =>
        from shape in Shapes(StepSizes.Default)
        from replicas in Gen.Choose(1, MaxReplicas)
        from drawn in Gen.ArrayOf(Gen.Frequency((1, Gen.Constant(0)), (1, Gen.Constant(1)), (2, Gen.Choose(2, MaxShare))), replicas)
        let shares = AtLeast(drawn, LeastSamples(shape.Spatial))
        from tensor in Tensors(shape.Lengths(shares.Sum()), shape.Channel, types)
        from step in Cases(Gen.Constant(tensor))
        select new SyncCase(step, shares);

    /// <summary>
    /// Renorm steps over <see cref="GhostSteps"/> steps (ghost batch norm one time in three, else the whole batch at once):
    /// rmax 1 one time in four, else uniform in [1, 5]; dmax 0 one time in four, else uniform in [0, 6]; renorm_mean
    /// mostly within four standard deviations of the batch mean (so d is clipped sometimes, not always), else anywhere in
    /// [−1000, 1000]; renorm_stddev the batch's sqrt(s2 + eps) times a factor in [e⁻², e²] (so r is clipped sometimes),
    /// or 0 (s_R is then sqrt(eps); only when eps &gt; 0); moving_stddev log-uniform in [0.1, 50].
    /// </summary>
    public static Gen<RenormCase> RenormSteps(Gen<ElementType> types, StepSizes sizes) =>
        from ghost in GhostSteps(types, sizes)
        from useGhost in Gen.Frequency((1, Gen.Constant(true)), (2, Gen.Constant(false)))
        from seed in Gen.Choose(0, int.MaxValue)
        select RenormState(ghost.Step, useGhost ? ghost.VirtualBatchSize : null, new Random(seed));

    /// <summary>Loss weights for <paramref name="tensor"/>, uniform in [−1, 1], rounded to its element type (row-major).</summary>
    public static double[] Weights(TensorCase tensor, Random random) =>
        tensor.Type.Round(tensor.Values.Select(_ => ValueDraws.Uniform(random, -1, 1)).ToArray());

    private static Gen<Shape> Shapes(StepSizes sizes) =>
        from rank in Gen.Elements(2, 4)
        from channel in TensorGenerators.DataFormats
        from channels in sizes.MaxWideChannels >= WideChannels
            ? Gen.Frequency((3, Gen.Choose(1, sizes.MaxChannels)), (1, Gen.Choose(WideChannels, sizes.MaxWideChannels)))
            : Gen.Choose(1, sizes.MaxChannels)
        from spatial in Gen.ArrayOf(Gen.Choose(1, sizes.MaxSpatial), rank - 2)
        select new Shape(channel, channels, spatial);

    private static Gen<TensorCase> Tensors(int[] lengths, ChannelChoice channel, Gen<ElementType> types) =>
        from type in types
        from seed in Gen.Choose(0, int.MaxValue)
        from layout in Layouts(lengths.Length)
        select TensorCase.Draw(lengths, channel, type, layout, ValueDraws.Standard, seed);

    /// <summary>Samples needed for two elements per channel: 1 when a sample holds at least two per channel, else 2.</summary>
    private static int LeastSamples(int[] spatial) => ChannelIndex.Product(spatial) >= 2 ? 1 : 2;

    private static int[] AtLeast(int[] shares, int least)
    {
        var grown = (int[])shares.Clone();
        grown[^1] += Math.Max(0, least - shares.Sum());
        return grown;
    }

    private static RenormCase RenormState(NormalizationCase step, int? virtualBatchSize, Random random)
    {
        var statistics = step.Tensor.Statistics();
        var scale = statistics.Variance.Select(v => Math.Sqrt(v + step.Epsilon)).ToArray();
        double rMax = random.Next(4) == 0 ? 1 : ValueDraws.Uniform(random, 1, 5);
        double dMax = random.Next(4) == 0 ? 0 : ValueDraws.Uniform(random, 0, 6);
        double[] Draw(Func<int, double> value) => step.Tensor.Type.Round(Enumerable.Range(0, step.Channels).Select(value).ToArray());
        return new RenormCase(
            step,
            virtualBatchSize,
            rMax,
            dMax,
            RenormMean: Draw(c => random.Next(4) == 0 ? ValueDraws.Uniform(random, -1000, 1000) : statistics.Mean[c] + (scale[c] * ValueDraws.Uniform(random, -4, 4))),
            RenormStddev: Draw(c => step.Epsilon > 0 && random.Next(8) == 0 ? 0 : scale[c] * Math.Exp(ValueDraws.Uniform(random, -2, 2))),
            MovingStddev: Draw(_ => Math.Exp(ValueDraws.Uniform(random, Math.Log(0.1), Math.Log(50)))));
    }

    /// <summary>A shape without its batch length: the channel choice, the channel count and the spatial lengths (none for rank 2).</summary>
    private sealed record Shape(ChannelChoice Channel, int Channels, int[] Spatial)
    {
        /// <summary>The lengths with <paramref name="batch"/> samples on axis 0 and the channels at the format's axis.</summary>
        public int[] Lengths(int batch)
        {
            var lengths = new List<int> { batch };
            lengths.AddRange(Spatial);
            lengths.Insert(Channel.Resolve(Spatial.Length + 2), Channels);
            return [.. lengths];
        }
    }
}
