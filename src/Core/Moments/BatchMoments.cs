using System.Runtime.CompilerServices;
using BnNative.Collections;
using BnNative.Kernels;

namespace BnNative.Moments;

/// <summary>
/// Per-channel batch moments: the count n of elements that share a channel, the mean mu and
/// M2 = Σ(x − mu)². Immutable, with value equality. Partial moments combine exactly with
/// <see cref="Merge(BatchMoments, BatchMoments)"/> (Chan et al.), which ghost batch norm, synchronized
/// statistics and multithreaded reductions all use.
/// </summary>
public sealed record BatchMoments
{
    /// <summary>Creates moments for <c>mean.Length</c> channels.</summary>
    /// <param name="count">Elements per channel, ≥ 0.</param>
    /// <param name="mean">Per-channel mean (all 0 when <paramref name="count"/> is 0).</param>
    /// <param name="m2">Per-channel sum of squared deviations from the mean, ≥ 0 (NaN passes through).</param>
    /// <exception cref="ArgumentNullException">A vector is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative, or an M2 entry is negative.</exception>
    /// <exception cref="ArgumentException">The vectors differ in length.</exception>
    public BatchMoments(long count, ReadOnlyVector<double> mean, ReadOnlyVector<double> m2)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(m2);
        if (mean.Length != m2.Length)
        {
            throw new ArgumentException($"m2 has {m2.Length} channels but mean has {mean.Length}.", nameof(m2));
        }

        for (int c = 0; c < m2.Length; c++)
        {
            if (m2[c] < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(m2), m2[c], $"m2[{c}] must be ≥ 0.");
            }
        }

        Count = count;
        Mean = mean;
        M2 = m2;
    }

    /// <summary>Elements per channel.</summary>
    public long Count { get; }

    /// <summary>Per-channel mean.</summary>
    public ReadOnlyVector<double> Mean { get; }

    /// <summary>Per-channel sum of squared deviations from the mean.</summary>
    public ReadOnlyVector<double> M2 { get; }

    /// <summary>Number of channels.</summary>
    public int Channels => Mean.Length;

    /// <summary>Moments of an empty batch for <paramref name="channels"/> channels: the identity of <see cref="Merge(BatchMoments, BatchMoments)"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="channels"/> is negative.</exception>
    public static BatchMoments Empty(int channels)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(channels);
        return new(0, ReadOnlyVector<double>.Filled(channels, 0), ReadOnlyVector<double>.Filled(channels, 0));
    }

    /// <summary>Per-channel variance: M2/n (biased) or M2/(n−1) (unbiased).</summary>
    /// <exception cref="InvalidOperationException">The count is 0, or 1 with the unbiased estimator.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="estimator"/> is not a defined value.</exception>
    public ReadOnlyVector<double> Variance(VarianceEstimator estimator = VarianceEstimator.Biased)
    {
        long divisor = estimator switch
        {
            VarianceEstimator.Biased => Count,
            VarianceEstimator.Unbiased => Count - 1,
            _ => throw new ArgumentOutOfRangeException(nameof(estimator), estimator, "Unknown variance estimator."),
        };
        if (divisor <= 0)
        {
            throw new InvalidOperationException(
                $"The {estimator.ToString().ToLowerInvariant()} variance needs n ≥ {(estimator == VarianceEstimator.Biased ? 1 : 2)}; these moments have n = {Count}.");
        }

        var variance = new double[M2.Length];
        ChannelVectorMath.Divide(M2.AsSpan(), divisor, variance);
        return ReadOnlyVector<double>.Adopt(variance);
    }

    /// <summary>
    /// Chan's exact merge of the moments of two disjoint parts of a batch: n = na + nb, d = mub − mua,
    /// mu = mua + d·nb/n, M2 = M2a + M2b + d²·na·nb/n. An empty part is the identity.
    /// </summary>
    /// <exception cref="ArgumentNullException">A part is null.</exception>
    /// <exception cref="ArgumentException">The parts have different channel counts.</exception>
    public static BatchMoments Merge(BatchMoments first, BatchMoments second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        if (first.Channels != second.Channels)
        {
            throw new ArgumentException(
                $"second has {second.Channels} channels but first has {first.Channels}.", nameof(second));
        }

        if (second.Count == 0)
        {
            return first;
        }

        if (first.Count == 0)
        {
            return second;
        }

        long n = checked(first.Count + second.Count);
        var mean = new double[first.Channels];
        var m2 = new double[first.Channels];
        for (int c = 0; c < mean.Length; c++)
        {
            (mean[c], m2[c]) = MergeChannel(first.Count, first.Mean[c], first.M2[c], second.Count, second.Mean[c], second.M2[c]);
        }

        return new BatchMoments(n, ReadOnlyVector<double>.Adopt(mean), ReadOnlyVector<double>.Adopt(m2));
    }

    /// <summary>Merges <paramref name="parts"/> left to right with <see cref="Merge(BatchMoments, BatchMoments)"/> (the order is part of the result).</summary>
    /// <exception cref="ArgumentException"><paramref name="parts"/> is empty or the channel counts differ.</exception>
    public static BatchMoments Merge(IEnumerable<BatchMoments> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        BatchMoments? total = null;
        foreach (var part in parts)
        {
            total = total is null ? part : Merge(total, part);
        }

        return total ?? throw new ArgumentException("At least one part is needed.", nameof(parts));
    }

    /// <summary>Chan's merge for one channel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static (double Mean, double M2) MergeChannel(long na, double meanA, double m2A, long nb, double meanB, double m2B)
    {
        if (nb == 0)
        {
            return (meanA, m2A);
        }

        if (na == 0)
        {
            return (meanB, m2B);
        }

        double n = (double)na + nb;
        double delta = meanB - meanA;
        double mean = meanA + (delta * (nb / n));
        double m2 = m2A + m2B + (delta * delta * (na * (nb / n)));
        return (mean, Math.Max(m2, 0));
    }

    /// <inheritdoc />
    public override string ToString() => $"BatchMoments {{ Count = {Count}, Mean = {Mean}, M2 = {M2} }}";
}
