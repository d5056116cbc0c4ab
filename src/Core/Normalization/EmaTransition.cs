using System.Numerics;
using BnNative.Collections;
using BnNative.Moments;

namespace BnNative.Normalization;

/// <summary>
/// A pending moving-statistics update, a pure function state → state (SPEC §5). A collection-mode training step
/// returns one; applying it gives exactly the state an internal-mode step returns. Transitions collected from
/// several steps can be applied in order.
/// </summary>
/// <param name="Mean">The batch mean per channel.</param>
/// <param name="Variance">The batch variance per channel, with the estimator the config chose for the moving variance.</param>
/// <param name="Momentum">The momentum (weight of the old value).</param>
/// <param name="Average">How the moving statistics average the batch values.</param>
public sealed record EmaTransition(ReadOnlyVector<double> Mean, ReadOnlyVector<double> Variance, double Momentum, EmaAverage Average)
{
    /// <summary>The transition a step with <paramref name="moments"/> and <paramref name="config"/> implies for a tensor of rank <paramref name="rank"/>.</summary>
    /// <exception cref="ArgumentException">The unbiased estimator was asked for with n &lt; 2.</exception>
    public static EmaTransition From(BatchMoments moments, BatchNormConfig config, int rank)
    {
        ArgumentNullException.ThrowIfNull(moments);
        ArgumentNullException.ThrowIfNull(config);
        var estimator = config.MovingVarianceFor(rank);
        if (estimator == VarianceEstimator.Unbiased && moments.Count < 2)
        {
            throw new ArgumentException(
                $"The unbiased moving variance needs n ≥ 2 elements per channel; the batch has n = {moments.Count}.", nameof(moments));
        }

        return new EmaTransition(moments.Mean, moments.Variance(estimator), config.Momentum, config.EmaAverage);
    }

    /// <summary>
    /// The state after this update: moving statistics advanced per <see cref="Average"/>, <c>Step</c> + 1, gamma and
    /// beta unchanged. <paramref name="state"/> itself is not modified.
    /// </summary>
    /// <exception cref="ArgumentException">The channel counts differ.</exception>
    /// <exception cref="OverflowException">The state's step is <see cref="long.MaxValue"/>.</exception>
    public BatchNormState<T> Apply<T>(BatchNormState<T> state)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Channels != Mean.Length)
        {
            throw new ArgumentException($"state has {state.Channels} channels but the transition has {Mean.Length}.", nameof(state));
        }

        long step = checked(state.Step + 1);
        return state with
        {
            MovingMean = Advance(state.MovingMean, Mean, step),
            MovingVariance = Advance(state.MovingVariance, Variance, step),
            Step = step,
        };
    }

    private ReadOnlyVector<T> Advance<T>(ReadOnlyVector<T> moving, ReadOnlyVector<double> batch, long step)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var next = new T[moving.Length];
        double debiasOld = 1 - Math.Pow(Momentum, step - 1);
        double debiasNew = 1 - Math.Pow(Momentum, step);
        for (int c = 0; c < next.Length; c++)
        {
            double old = double.CreateTruncating(moving[c]);
            double value = Average switch
            {
                EmaAverage.Exponential => (Momentum * old) + ((1 - Momentum) * batch[c]),
                // The first cumulative or debiased update is the batch value itself, exactly.
                EmaAverage.Cumulative => step == 1 ? batch[c] : old + ((batch[c] - old) / step),
                EmaAverage.ZeroDebiased => step == 1 || debiasNew == 0
                    ? batch[c]
                    : ((Momentum * old * debiasOld) + ((1 - Momentum) * batch[c])) / debiasNew,
                _ => throw new InvalidOperationException($"Unknown EMA average {Average}."),
            };
            next[c] = T.CreateTruncating(value);
        }

        return ReadOnlyVector<T>.Adopt(next);
    }
}
