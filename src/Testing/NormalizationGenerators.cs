using BnNative.Moments;
using BnNative.Normalization;
using FsCheck;
using FsCheck.Fluent;

namespace BnNative.Testing;

/// <summary>
/// FsCheck generators of batch normalization steps and settings, on top of <see cref="TensorGenerators"/>: the input
/// first (rank 2–5, each axis ≤ <see cref="MaxLength"/>, at most <see cref="MaxElements"/> elements, at least two
/// elements per channel so that every variance estimator is defined, any channel axis and layout, values from
/// <see cref="ValueDraws.Standard"/>), then the state and the settings. The settings' distributions:
/// <list type="bullet">
/// <item><description>epsilon 0, 1e-5, 1e-3 or 0.5, equally often;</description></item>
/// <item><description>momentum 0.9 or 0.99 half of the time, 0, 0.5 or 1 one time in six, else any multiple of 0.001 in [0, 1];</description></item>
/// <item><description>Center and Scale each on three times in four;</description></item>
/// <item><description>the moving-variance estimator null (tensorpack's rank rule), biased or unbiased, equally often.</description></item>
/// </list>
/// </summary>
public static class NormalizationGenerators
{
    /// <summary>Longest axis of an input (8).</summary>
    public const int MaxLength = 8;

    /// <summary>Most elements of an input by default (4000).</summary>
    public const int MaxElements = 4000;

    private static readonly Gen<double> Epsilons = Gen.Elements(0, 1e-5, 1e-3, 0.5);

    private static readonly Gen<double> Momenta = Gen.Frequency(
        (3, Gen.Elements(0.9, 0.99)), (1, Gen.Elements(0.0, 0.5, 1.0)), (2, Gen.Choose(0, 1000).Select(k => k / 1000.0)));

    private static readonly Gen<bool> MostlyOn = Gen.Frequency((3, Gen.Constant(true)), (1, Gen.Constant(false)));

    private static readonly Gen<VarianceEstimator?> Estimators = Gen.Elements<VarianceEstimator?>(null, VarianceEstimator.Biased, VarianceEstimator.Unbiased);

    /// <summary>
    /// Inputs: <see cref="TensorGenerators.Tensors"/> with axes ≤ <see cref="MaxLength"/>, at most
    /// <paramref name="maxElements"/> elements, at least two per channel, values from <see cref="ValueDraws.Standard"/>.
    /// </summary>
    /// <param name="types">The element types, e.g. <see cref="TensorGenerators.BothTypes"/>.</param>
    /// <param name="maxElements">Most elements, ≥ 1. Default <see cref="MaxElements"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="types"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxElements"/> is below 1.</exception>
    public static Gen<TensorCase> Inputs(Gen<ElementType> types, int maxElements = MaxElements) =>
        TensorGenerators.Tensors(types, ValueDraws.Standard, MaxLength, maxElements, minPerChannel: 2);

    /// <summary>Channels-first inputs (N, C, spatial…) of rank 3–5, stored contiguously, as <see cref="TensorGenerators.ChannelsFirstTensors"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="types"/> is null.</exception>
    public static Gen<TensorCase> ChannelsFirstInputs(Gen<ElementType> types) =>
        TensorGenerators.ChannelsFirstTensors(types, ValueDraws.Standard, MaxLength, MaxElements, minPerChannel: 2);

    /// <summary>
    /// Steps over <paramref name="tensors"/>: per channel gamma uniform in [−2, 2], beta in [−3, 3], moving mean in
    /// [−1000, 1000] and moving variance log-uniform in [0.01, 2000], each rounded to the input's element type; the
    /// settings as the class describes them.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="tensors"/> is null.</exception>
    public static Gen<NormalizationCase> Cases(Gen<TensorCase> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        return from tensor in tensors
               from seed in Gen.Choose(0, int.MaxValue)
               from epsilon in Epsilons
               from momentum in Momenta
               from center in MostlyOn
               from scale in MostlyOn
               from estimator in Estimators
               select Parameters(tensor, new Random(seed), epsilon, momentum, center, scale, estimator);
    }

    /// <summary>
    /// <see cref="BatchNormConfig"/> values for a tensor of rank <paramref name="rank"/>: the channel axis from
    /// <see cref="TensorGenerators.Channels"/>, epsilon, momentum, Center, Scale and the moving-variance estimator as the
    /// class describes them, any <see cref="EmaUpdate"/> and <see cref="EmaAverage"/> (momentum capped at 0.999 for
    /// <see cref="EmaAverage.ZeroDebiased"/>, whose debiasing divides by 1 − momentum^k); the moments backend
    /// <see cref="MomentsBackend.Auto"/> (set another with <c>config with { Moments = … }</c>) and every other setting
    /// <see cref="BatchNormConfig"/>'s default.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rank"/> is below 2.</exception>
    public static Gen<BatchNormConfig> Configs(int rank) =>
        from channel in TensorGenerators.Channels(rank)
        from epsilon in Epsilons
        from momentum in Momenta
        from center in MostlyOn
        from scale in MostlyOn
        from estimator in Estimators
        from update in Gen.Elements(Enum.GetValues<EmaUpdate>())
        from average in Gen.Elements(Enum.GetValues<EmaAverage>())
        select new BatchNormConfig
        {
            Momentum = average == EmaAverage.ZeroDebiased ? Math.Min(momentum, 0.999) : momentum,
            Epsilon = epsilon,
            Center = center,
            Scale = scale,
            DataFormat = channel.Format,
            Axis = channel.ExplicitAxis,
            MovingVariance = estimator,
            EmaUpdate = update,
            EmaAverage = average,
        };

    private static NormalizationCase Parameters(
        TensorCase tensor, Random random, double epsilon, double momentum, bool center, bool scale, VarianceEstimator? estimator)
    {
        int channels = tensor.Channels;
        double[] Draw(Func<double> value) => tensor.Type.Round(Enumerable.Range(0, channels).Select(_ => value()).ToArray());
        return new NormalizationCase(
            tensor,
            gamma: Draw(() => ValueDraws.Uniform(random, -2, 2)),
            beta: Draw(() => ValueDraws.Uniform(random, -3, 3)),
            movingMean: Draw(() => ValueDraws.Uniform(random, -1000, 1000)),
            movingVariance: Draw(() => Math.Exp(ValueDraws.Uniform(random, Math.Log(0.01), Math.Log(2000)))),
            epsilon,
            momentum,
            center,
            scale,
            estimator);
    }
}
