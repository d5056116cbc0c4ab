using BnNative.Moments;
using BnNative.Tensors;
using FsCheck;
using FsCheck.Fluent;

namespace BnNative.Tests.Properties.Normalization;

/// <summary>
/// Generators of batch normalization steps, built on the shared <see cref="Generators"/>: shape first (rank 2–5,
/// each axis ≤ <see cref="MaxLength"/>, at most <see cref="MaxElements"/> elements, at least two elements per channel
/// so that every EMA estimator is defined), then the channel axis (data format or explicit, possibly negative, axis),
/// the element type, the layout (permuted storage, padding, offset), then the values and the state.
/// </summary>
public static class NormalizationGenerators
{
    /// <summary>Longest axis.</summary>
    public const int MaxLength = 8;

    /// <summary>Most elements of a case.</summary>
    public const int MaxElements = 4000;

    /// <summary>Float and double (<see cref="Generators.ElementTypes"/>).</summary>
    public static Gen<ElementType> BothTypes => Generators.ElementTypes;

    /// <summary>Double only.</summary>
    public static Gen<ElementType> DoubleOnly { get; } = Gen.Constant(ElementType.Double);

    /// <summary>Inputs of rank 2–5 with any channel axis and layout, values uniform around per-channel offsets.</summary>
    public static Gen<MomentsCase> Inputs(Gen<ElementType> types, int maxElements = MaxElements) =>
        from lengths in Generators.Shapes(2, 5, MaxLength, maxElements)
        from channel in Generators.Channels(lengths.Length)
        from type in types
        from seed in Gen.Choose(0, int.MaxValue)
        from layout in Generators.Layouts(lengths.Length)
        select Tensor(AtLeastTwoPerChannel(lengths, channel.Resolve(lengths.Length)), channel, type, seed, layout);

    /// <summary>Channels-first inputs (N, C, spatial…) of rank 3–5, stored contiguously.</summary>
    public static Gen<MomentsCase> ChannelsFirstInputs(Gen<ElementType> types) =>
        from lengths in Generators.Shapes(3, 5, MaxLength, MaxElements)
        from type in types
        from seed in Gen.Choose(0, int.MaxValue)
        select Tensor(
            AtLeastTwoPerChannel(lengths, 1), new ChannelChoice(DataFormat.ChannelsFirst, null), type, seed, Layout.Contiguous(lengths.Length));

    /// <summary>
    /// Steps over <paramref name="tensors"/>: gamma in [−2, 2], beta in [−3, 3], moving mean in [−1000, 1000], moving
    /// variance log-uniform in [0.01, 2000]; epsilon 0, 1e-5, 1e-3 or 0.5; momentum often 0.9 or 0.99, sometimes 0, 0.5,
    /// 1 or any multiple of 0.001; Center and Scale mostly on; every moving-variance estimator choice.
    /// </summary>
    public static Gen<NormalizationCase> Cases(Gen<MomentsCase> tensors) =>
        from tensor in tensors
        from seed in Gen.Choose(0, int.MaxValue)
        from epsilon in Gen.Elements(0, 1e-5, 1e-3, 0.5)
        from momentum in Gen.Frequency(
            (3, Gen.Elements(0.9, 0.99)), (1, Gen.Elements(0.0, 0.5, 1.0)), (2, Gen.Choose(0, 1000).Select(k => k / 1000.0)))
        from center in Gen.Frequency((3, Gen.Constant(true)), (1, Gen.Constant(false)))
        from scale in Gen.Frequency((3, Gen.Constant(true)), (1, Gen.Constant(false)))
        from estimator in Gen.Elements<VarianceEstimator?>(null, VarianceEstimator.Biased, VarianceEstimator.Unbiased)
        select Parameters(tensor, new Random(seed), epsilon, momentum, center, scale, estimator);

    /// <summary>A step and <c>steps − 1</c> further batches of the same shape, type, axis and layout (the first batch is the step's input).</summary>
    public static Gen<TrainingRun> Runs(Gen<NormalizationCase> cases, int maxSteps) =>
        from step in cases
        from seeds in Gen.Choose(1, maxSteps).SelectMany(steps => Gen.ArrayOf(Gen.Choose(0, int.MaxValue), steps - 1))
        select new TrainingRun(step, [step.Tensor, .. seeds.Select(seed => Redraw(step.Tensor, seed))]);

    /// <summary>A case and a seed for what the property draws itself (sampled positions, loss weights).</summary>
    public static Gen<(NormalizationCase Case, int Seed)> WithSeed(Gen<NormalizationCase> cases) =>
        from step in cases
        from seed in Gen.Choose(0, int.MaxValue)
        select (step, seed);

    /// <summary>A case and a layout for a destination view of the case's shape.</summary>
    public static Gen<(NormalizationCase Case, Layout Destination)> Destinations(Gen<NormalizationCase> cases) =>
        from step in cases
        from layout in Generators.Layouts(step.Tensor.Rank)
        select (step, layout);

    /// <summary>Uniform in [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public static double Uniform(Random random, double low, double high) => low + ((high - low) * random.NextDouble());

    /// <summary>The same tensor with new values from <paramref name="seed"/>.</summary>
    public static MomentsCase Redraw(MomentsCase tensor, int seed) =>
        Tensor(tensor.Lengths, tensor.Channel, tensor.Type, seed, tensor.Layout);

    /// <summary><paramref name="values"/> rounded to <paramref name="type"/>.</summary>
    public static double[] RoundTo(ElementType type, double[] values) =>
        type == ElementType.Single ? values.Select(v => (double)(float)v).ToArray() : values;

    private static MomentsCase Tensor(int[] lengths, ChannelChoice channel, ElementType type, int seed, Layout layout)
    {
        var values = Generators.UniformAroundChannelOffsets(new Random(seed), lengths, channel.Resolve(lengths.Length));
        return new MomentsCase(lengths, channel, type, RoundTo(type, values), layout);
    }

    /// <summary>Lengths with n ≥ 2 elements per channel: when every other axis has length 1, the first of them gets 2.</summary>
    private static int[] AtLeastTwoPerChannel(int[] lengths, int channelAxis)
    {
        if (ChannelIndex.Product(lengths) / lengths[channelAxis] >= 2)
        {
            return lengths;
        }

        var fixedLengths = (int[])lengths.Clone();
        fixedLengths[channelAxis == 0 ? 1 : 0] = 2;
        return fixedLengths;
    }

    private static NormalizationCase Parameters(
        MomentsCase tensor, Random random, double epsilon, double momentum, bool center, bool scale, VarianceEstimator? estimator)
    {
        int channels = tensor.Lengths[tensor.ChannelAxis];
        double[] Draw(Func<double> value) => RoundTo(tensor.Type, Enumerable.Range(0, channels).Select(_ => value()).ToArray());
        return new NormalizationCase(
            tensor,
            Gamma: Draw(() => Uniform(random, -2, 2)),
            Beta: Draw(() => Uniform(random, -3, 3)),
            MovingMean: Draw(() => Uniform(random, -1000, 1000)),
            MovingVariance: Draw(() => Math.Exp(Uniform(random, Math.Log(0.01), Math.Log(2000)))),
            epsilon,
            momentum,
            center,
            scale,
            estimator);
    }
}
