using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Numerics;
using System.Runtime.Intrinsics;
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
    /// <summary>
    /// The batch renormalization part of the update, or null for plain batch norm. With it, <see cref="Apply{T}"/>
    /// advances moving_stddev (per <see cref="Average"/>) and derives the moving variance from it instead of using
    /// <see cref="Variance"/>, and advances renorm_mean and renorm_stddev with the renorm momentum.
    /// </summary>
    public RenormTransition? Renorm { get; init; }

    /// <summary>The transition a step with <paramref name="moments"/> and <paramref name="config"/> implies for a tensor of rank <paramref name="rank"/>.</summary>
    /// <exception cref="ArgumentException">The unbiased estimator was asked for with n &lt; 2.</exception>
    public static EmaTransition From(BatchMoments moments, BatchNormConfig config, int rank)
    {
        ArgumentNullException.ThrowIfNull(moments);
        ArgumentNullException.ThrowIfNull(config);
        if (config.Renorm is { } renorm)
        {
            var biased = moments.Variance();
            return new EmaTransition(moments.Mean, biased, config.Momentum, config.EmaAverage)
            {
                Renorm = new RenormTransition(biased.Select(v => Math.Sqrt(v + config.Epsilon)), renorm.Momentum, config.Epsilon),
            };
        }

        var estimator = config.MovingVarianceFor(rank);
        if (estimator == VarianceEstimator.Unbiased && moments.Count < 2)
        {
            throw new ArgumentException(
                $"The unbiased moving variance needs n ≥ 2 elements per channel; the batch has n = {moments.Count}.", nameof(moments));
        }

        return new EmaTransition(moments.Mean, moments.Variance(estimator), config.Momentum, config.EmaAverage);
    }

    /// <summary>
    /// Keras' ghost source: the mean of the chunk means and of the chunk variances (each with the configured estimator;
    /// with renorm, the mean of the chunk s_B).
    /// </summary>
    internal static EmaTransition MeanOf(IReadOnlyList<BatchMoments> chunks, BatchNormConfig config, int rank)
    {
        var parts = chunks.Select(chunk => From(chunk, config, rank)).ToArray();
        var first = parts[0];
        return first with
        {
            Mean = MeanOfVectors(parts.Select(p => p.Mean)),
            Variance = MeanOfVectors(parts.Select(p => p.Variance)),
            Renorm = first.Renorm is null ? null : first.Renorm with { Stddev = MeanOfVectors(parts.Select(p => p.Renorm!.Stddev)) },
        };
    }

    private static ReadOnlyVector<double> MeanOfVectors(IEnumerable<ReadOnlyVector<double>> vectors)
    {
        double[]? sum = null;
        int count = 0;
        foreach (var vector in vectors)
        {
            sum ??= new double[vector.Length];
            for (int c = 0; c < sum.Length; c++)
            {
                sum[c] += vector[c];
            }

            count++;
        }

        for (int c = 0; c < sum!.Length; c++)
        {
            sum[c] /= count;
        }

        return ReadOnlyVector<double>.Adopt(sum);
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
        if (Renorm is { } renorm)
        {
            var old = state.Renorm ?? BatchRenormState<T>.Init(state.Channels);
            var movingStddev = Advance(old.MovingStddev, renorm.Stddev, step);
            var variance = new T[state.Channels];
            for (int c = 0; c < variance.Length; c++)
            {
                double stddev = double.CreateTruncating(movingStddev[c]);
                variance[c] = T.CreateTruncating(Math.Max((stddev * stddev) - renorm.Epsilon, 0));
            }

            return state with
            {
                MovingMean = Advance(state.MovingMean, Mean, step),
                MovingVariance = ReadOnlyVector<T>.Adopt(variance),
                Step = step,
                Renorm = new BatchRenormState<T>(
                    Exponential(old.RenormMean, Mean, renorm.Momentum),
                    Exponential(old.RenormStddev, renorm.Stddev, renorm.Momentum),
                    movingStddev),
            };
        }

        return state with
        {
            MovingMean = Advance(state.MovingMean, Mean, step),
            MovingVariance = Advance(state.MovingVariance, Variance, step),
            Step = step,
        };
    }

    private static ReadOnlyVector<T> Exponential<T>(ReadOnlyVector<T> moving, ReadOnlyVector<double> batch, double momentum)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var next = new T[moving.Length];
        for (int c = 0; c < next.Length; c++)
        {
            next[c] = T.CreateTruncating((momentum * double.CreateTruncating(moving[c])) + ((1 - momentum) * batch[c]));
        }

        return ReadOnlyVector<T>.Adopt(next);
    }

    private ReadOnlyVector<T> Advance<T>(ReadOnlyVector<T> moving, ReadOnlyVector<double> batch, long step)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var next = new T[moving.Length];
        Advance(moving.AsSpan(), batch.AsSpan()[..next.Length], step, Momentum, Average, next);
        return ReadOnlyVector<T>.Adopt(next);
    }

    /// <summary>
    /// The exponential update of float channels in vectors, with the scalar loop's roundings (widen, two products and a
    /// sum in double, narrow): sixteen channels at a time in 512-bit vectors where the hardware has them, then eight.
    /// Reads and writes through references after one length check (the sliced spans' bounds checks were most of the
    /// instructions of a 64-channel update). Returns the first channel left for the scalar loop.
    /// </summary>
    private static int ExponentialFloats(ReadOnlySpan<float> old, ReadOnlySpan<double> value, double keep, double take, Span<float> next)
    {
        int length = next.Length;
        if (old.Length < length || value.Length < length)
        {
            throw new ArgumentException("The old values and the batch values must cover every channel of the next.", nameof(value));
        }

        ref float olds = ref MemoryMarshal.GetReference(old);
        ref double values = ref MemoryMarshal.GetReference(value);
        ref float nexts = ref MemoryMarshal.GetReference(next);
        int c = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var keeps = Vector512.Create(keep);
            var takes = Vector512.Create(take);
            for (; c + Vector512<float>.Count <= length; c += Vector512<float>.Count)
            {
                var (low, high) = Vector512.Widen(Vector512.LoadUnsafe(ref olds, (nuint)c));
                var lowNext = (keeps * low) + (takes * Vector512.LoadUnsafe(ref values, (nuint)c));
                var highNext = (keeps * high) + (takes * Vector512.LoadUnsafe(ref values, (nuint)(c + Vector512<double>.Count)));
                Vector512.Narrow(lowNext, highNext).StoreUnsafe(ref nexts, (nuint)c);
            }
        }

        var keepsNarrow = new Vector<double>(keep);
        var takesNarrow = new Vector<double>(take);
        for (; c + Vector<float>.Count <= length; c += Vector<float>.Count)
        {
            Vector.Widen(Vector.LoadUnsafe(ref olds, (nuint)c), out var low, out var high);
            var lowNext = (keepsNarrow * low) + (takesNarrow * Vector.LoadUnsafe(ref values, (nuint)c));
            var highNext = (keepsNarrow * high) + (takesNarrow * Vector.LoadUnsafe(ref values, (nuint)(c + Vector<double>.Count)));
            Vector.Narrow(lowNext, highNext).StoreUnsafe(ref nexts, (nuint)c);
        }

        return c;
    }

    /// <summary>
    /// One moving-average update per channel, next = average(old, value) at update number <paramref name="step"/> (≥ 1):
    /// the allocation-free form shared by <see cref="Apply{T}"/> and <see cref="BatchNormLayer{T}"/>.
    /// <paramref name="next"/> may be <paramref name="old"/> itself.
    /// </summary>
    internal static void Advance<T>(ReadOnlySpan<T> old, ReadOnlySpan<double> value, long step, double momentum, EmaAverage average, Span<T> next)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double keep = momentum;
        double take = 1 - momentum;
        bool debiased = average == EmaAverage.ZeroDebiased;
        double debiasOld = debiased ? 1 - Math.Pow(momentum, step - 1) : 0;
        double debiasNew = debiased ? 1 - Math.Pow(momentum, step) : 0;
        switch (average)
        {
            // The first cumulative or debiased update is the batch value itself, exactly.
            case EmaAverage.Cumulative or EmaAverage.ZeroDebiased when step == 1 || (debiased && debiasNew == 0):
                for (int c = 0; c < next.Length; c++)
                {
                    next[c] = T.CreateTruncating(value[c]);
                }

                break;
            case EmaAverage.Exponential:
                int start = typeof(T) == typeof(float)
                    ? ExponentialFloats(MemoryMarshal.Cast<T, float>(old), value, keep, take, MemoryMarshal.Cast<T, float>(next))
                    : 0;

                for (int c = start; c < next.Length; c++)
                {
                    next[c] = T.CreateTruncating((keep * double.CreateTruncating(old[c])) + (take * value[c]));
                }

                break;
            case EmaAverage.Cumulative:
                for (int c = 0; c < next.Length; c++)
                {
                    double o = double.CreateTruncating(old[c]);
                    next[c] = T.CreateTruncating(o + ((value[c] - o) / step));
                }

                break;
            case EmaAverage.ZeroDebiased:
                for (int c = 0; c < next.Length; c++)
                {
                    next[c] = T.CreateTruncating(((keep * double.CreateTruncating(old[c]) * debiasOld) + (take * value[c])) / debiasNew);
                }

                break;
            default:
                throw new InvalidOperationException($"Unknown EMA average {average}.");
        }
    }
}
