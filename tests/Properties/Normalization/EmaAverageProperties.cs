using System.Numerics;
using BnNative.Collections;
using BnNative.Moments;
using BnNative.Normalization;
using FsCheck;
using FsCheck.Fluent;
using static BnNative.Tests.Properties.Normalization.NormalizationAssert;
using static BnNative.Testing.NormalizationGenerators;
using static BnNative.Testing.TensorGenerators;
using static BnNative.Tests.Properties.Normalization.StepGenerators;

namespace BnNative.Tests.Properties.Normalization;

/// <summary>
/// SPEC §5, how the moving statistics follow the batch statistics (internal mode, several steps): the exponential
/// average's closed form for a constant batch, the cumulative average as the arithmetic mean, the zero-debiased
/// average as Haiku's hidden/(1 − momentum^k), and the first cumulative or debiased update returning the batch
/// statistics exactly. The moving variance is fed the estimator the config chose.
/// </summary>
/// <remarks>
/// Bounds: each step computes the new value in double and rounds it once to T, an error of at most u + 3·2⁻⁵³ of the
/// largest magnitude involved; later steps damp earlier errors (by momentum, 1 − 1/j, or
/// momentum·(1 − momentum^(j−1))/(1 − momentum^j), all ≤ 1), so k steps stay within k·(u + 3·2⁻⁵³); the test's own
/// double evaluation adds a few 2⁻⁵³. 8k·u of the largest magnitude covers all of it.
/// </remarks>
public sealed class EmaAverageProperties
{
    private const int MaxTest = 100;

    /// <summary>Longest run of steps.</summary>
    private const int MaxSteps = 8;

    /// <summary>The same batch k times, exponential: moving_k = mu + momentum^k·(moving_0 − mu), and likewise for the variance.</summary>
    [Fact]
    public void ConstantBatchApproachesItsStatisticsGeometrically() =>
        PropertyCheck.ForAll(
            from step in Cases(Inputs(BothTypes))
            from k in Gen.Choose(1, MaxSteps)
            select new TrainingRun(step, Enumerable.Repeat(step.Tensor, k).ToArray()),
            run => run.First.Run(_ => Check<float>(run, EmaAverage.Exponential), _ => Check<double>(run, EmaAverage.Exponential)),
            MaxTest);

    /// <summary>After k steps the cumulative average is the arithmetic mean of the k batch means and variances.</summary>
    [Fact]
    public void CumulativeAverageIsTheMeanOfTheBatchStatistics() =>
        PropertyCheck.ForAll(
            Runs(Cases(Inputs(BothTypes)), MaxSteps),
            run => run.First.Run(_ => Check<float>(run, EmaAverage.Cumulative), _ => Check<double>(run, EmaAverage.Cumulative)),
            MaxTest);

    /// <summary>
    /// After k steps the zero-debiased average is hidden_k/(1 − momentum^k), hidden_j = momentum·hidden_(j−1) +
    /// (1 − momentum)·batch_j from hidden_0 = 0 (momentum below 1: at 1 the quotient is 0/0).
    /// </summary>
    [Fact]
    public void ZeroDebiasedAverageIsTheDebiasedHiddenAverage() =>
        PropertyCheck.ForAll(
            from run in Runs(Cases(Inputs(BothTypes)), MaxSteps)
            select run with { First = run.First with { Momentum = Math.Min(run.First.Momentum, 0.999) } },
            run => run.First.Run(_ => Check<float>(run, EmaAverage.ZeroDebiased), _ => Check<double>(run, EmaAverage.ZeroDebiased)),
            MaxTest);

    /// <summary>
    /// The first zero-debiased (and the first cumulative) update returns the batch statistics exactly: the moving mean
    /// is the batch mean converted to T, the moving variance the batch variance with the configured estimator.
    /// </summary>
    [Fact]
    public void FirstDebiasedOrCumulativeUpdateIsTheBatchStatistics() =>
        PropertyCheck.ForAll(
            Cases(Inputs(BothTypes)),
            step => step.Run(FirstUpdate<float>, FirstUpdate<double>),
            MaxTest);

    private static void FirstUpdate<T>(NormalizationCase step)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        foreach (var average in new[] { EmaAverage.ZeroDebiased, EmaAverage.Cumulative })
        {
            var config = step.Config(MomentsBackend.Auto, EmaUpdate.Internal) with { EmaAverage = average };
            var result = BatchNorm.Train(step.Input<T>(), step.State<T>(), config);
            var variance = result.BatchMoments.Variance(config.MovingVarianceFor(step.Tensor.Rank));
            var expected = step.State<T>() with
            {
                MovingMean = result.BatchMoments.Mean.Select(T.CreateTruncating),
                MovingVariance = variance.Select(T.CreateTruncating),
                Step = 1,
            };
            BitwiseEqual(expected, result.NextState);
        }
    }

    private static void Check<T>(TrainingRun run, EmaAverage average)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var config = run.First.Config(MomentsBackend.Auto, EmaUpdate.Internal) with { EmaAverage = average };
        var estimator = config.MovingVarianceFor(run.First.Tensor.Rank);
        var initial = run.First.State<T>();
        var state = initial;
        var means = new List<ReadOnlyVector<double>>();
        var variances = new List<ReadOnlyVector<double>>();
        for (int k = 0; k < run.Batches.Length; k++)
        {
            var result = BatchNorm.Train(run.Step(k).Input<T>(), state, config);
            means.Add(result.BatchMoments.Mean);
            variances.Add(result.BatchMoments.Variance(estimator));
            state = result.NextState;
        }

        Assert.Equal(run.Batches.Length, state.Step);
        AssertAverage("moving mean", run.First, average, initial.MovingMean, means, state.MovingMean);
        AssertAverage("moving variance", run.First, average, initial.MovingVariance, variances, state.MovingVariance);
    }

    private static void AssertAverage<T>(
        string what, NormalizationCase step, EmaAverage average, ReadOnlyVector<T> initial, List<ReadOnlyVector<double>> batches, ReadOnlyVector<T> actual)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int k = batches.Count;
        double m = step.Momentum;
        for (int c = 0; c < step.Channels; c++)
        {
            double start = double.CreateTruncating(initial[c]);
            var values = batches.Select(batch => batch[c]).ToArray();
            double expected = average switch
            {
                EmaAverage.Exponential => values[0] + (Math.Pow(m, k) * (start - values[0])),
                EmaAverage.Cumulative => values.Average(),
                _ => values.Aggregate(0.0, (hidden, value) => (m * hidden) + ((1 - m) * value)) / (1 - Math.Pow(m, k)),
            };
            double largest = values.Append(start).Max(Math.Abs);
            Within($"{what}[{c}] after {k} {average} steps", expected, double.CreateTruncating(actual[c]), 8 * k * step.UnitRoundoff * largest);
        }
    }
}
