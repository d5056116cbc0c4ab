using System.Runtime.CompilerServices;
using System.Globalization;
using System.Numerics;
using System.Text;
using BnNative.Collections;
using BnNative.Kernels;
using BnNative.Moments;
using BnNative.Tensors;

namespace BnNative.Normalization;

/// <summary>
/// The default refusal of non-finite training statistics (<see cref="NonFiniteStatisticsException"/>): a test of the C
/// per-channel values of each chunk and of the next state, never a pass over the data. A value passes when
/// |value| ≤ the largest finite T, which fails NaN, ±∞ and doubles that would overflow T when stored. The clean path allocates nothing.
/// </summary>
internal static class FiniteStatistics
{
    /// <summary>Channels spelled out in a message before "and N more".</summary>
    private const int Listed = 4;

    /// <summary>
    /// Throws when a chunk's batch mean or biased variance does not fit T; where both fit, when a derived factor
    /// (inverse std, renorm r and d) does not.
    /// </summary>
    public static void CheckChunks<T>(TensorView<T> x, int axis, IReadOnlyList<BatchNormChunk> chunks)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double max = MaxValue<T>();
        if (AllWithin(chunks, max))
        {
            return;
        }

        List<NonFiniteStatistic>? found = null;
        for (int k = 0; k < chunks.Count; k++)
        {
            var chunk = chunks[k];
            var moments = chunk.Moments;
            if (moments.Count == 0)
            {
                continue;
            }

            int? index = chunks.Count == 1 ? null : k;
            for (int c = 0; c < moments.Channels; c++)
            {
                bool fits = Check(ref found, index, c, "batch mean", moments.Mean[c], max);
                fits &= Check(ref found, index, c, "batch variance", moments.M2[c] / moments.Count, max);
                if (fits)
                {
                    Check(ref found, index, c, "inverse std", chunk.InverseStd[c], max);
                    Check(ref found, index, c, "renorm r", chunk.R?[c] ?? 1, max);
                    Check(ref found, index, c, "renorm d", chunk.D?[c] ?? 0, max);
                }
            }
        }

        if (found is not null)
        {
            bool derivedOnly = found.TrueForAll(s => s.Quantity is not ("batch mean" or "batch variance"));
            string cause = derivedOnly
                ? "a variance of 0 with epsilon 0, or one too small for the element type"
                : $"the input holds NaN, ±∞ or values too large for {Name<T>()} there";
            throw Failure(x, axis, "batch statistics", found, chunks, cause);
        }
    }

    /// <summary>
    /// <see cref="CheckChunks{T}"/> for a whole batch held in spans (<see cref="BatchNormLayer{T}"/>): nothing is
    /// allocated unless a value fails, and then the message is the record step's.
    /// </summary>
    public static void CheckBatch<T>(
        TensorView<T> x, int axis, long count, ReadOnlySpan<double> mean, ReadOnlySpan<double> m2, ReadOnlySpan<double> inverseStd)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (Within(count, mean, m2, inverseStd, default, default, MaxValue<T>()))
        {
            return;
        }

        var moments = new BatchMoments(count, ReadOnlyVector<double>.Create(mean), ReadOnlyVector<double>.Create(m2));
        CheckChunks(x, axis, [new BatchNormChunk(0, x.Lengths[0], moments, ReadOnlyVector<double>.Create(inverseStd), null, null)]);
    }

    /// <summary>Throws when a next moving mean or variance held in spans (<see cref="BatchNormLayer{T}"/>) is not finite.</summary>
    public static void CheckMoving<T>(TensorView<T> x, int axis, ReadOnlySpan<T> mean, ReadOnlySpan<T> variance)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (ChannelVectorMath.AllFinite(mean) && ChannelVectorMath.AllFinite(variance))
        {
            return;
        }

        List<NonFiniteStatistic>? found = null;
        for (int c = 0; c < mean.Length; c++)
        {
            Check(ref found, c, "mean/EMA", mean);
            Check(ref found, c, "variance/EMA", variance);
        }

        throw Failure(x, axis, "next state", found!, null, $"the incoming state or the EMA update overflows {Name<T>()} there");
    }

    /// <summary>Throws when a moving statistic of <paramref name="next"/> (and its renorm part) is not finite.</summary>
    public static void CheckState<T>(TensorView<T> x, int axis, BatchNormState<T> next)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (ChannelVectorMath.AllFinite(next.MovingMean.AsSpan()) && ChannelVectorMath.AllFinite(next.MovingVariance.AsSpan())
            && (next.Renorm is not { } state || (ChannelVectorMath.AllFinite(state.RenormMean.AsSpan())
                && ChannelVectorMath.AllFinite(state.RenormStddev.AsSpan()) && ChannelVectorMath.AllFinite(state.MovingStddev.AsSpan()))))
        {
            return;
        }

        List<NonFiniteStatistic>? found = null;
        for (int c = 0; c < next.Channels; c++)
        {
            Check(ref found, c, "mean/EMA", next.MovingMean.AsSpan());
            Check(ref found, c, "variance/EMA", next.MovingVariance.AsSpan());
            if (next.Renorm is { } renorm)
            {
                Check(ref found, c, "renorm_mean", renorm.RenormMean.AsSpan());
                Check(ref found, c, "renorm_stddev", renorm.RenormStddev.AsSpan());
                Check(ref found, c, "moving_stddev", renorm.MovingStddev.AsSpan());
            }
        }

        if (found is not null)
        {
            throw Failure(x, axis, "next state", found, null, $"the incoming state or the EMA update overflows {Name<T>()} there");
        }
    }

    /// <summary>
    /// The common case in vectors: every quantity of every non-empty chunk within ±<paramref name="max"/>. The batch
    /// variance M2/n is bounded through M2 ≤ max·n, shrunk by 1e-12 so that rounding cannot let a variance just over
    /// the limit through. False sends the caller to the exact per-channel scan, which names what failed.
    /// </summary>
    private static bool AllWithin(IReadOnlyList<BatchNormChunk> chunks, double max)
    {
        for (int k = 0; k < chunks.Count; k++)
        {
            var chunk = chunks[k];
            var moments = chunk.Moments;
            if (moments.Count == 0)
            {
                continue;
            }

            if (!Within(
                moments.Count, moments.Mean.AsSpan(), moments.M2.AsSpan(), chunk.InverseStd.AsSpan(),
                chunk.R is { } r ? r.AsSpan() : default, chunk.D is { } d ? d.AsSpan() : default, max))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>One chunk's quantities within ±<paramref name="max"/> (empty r and d: no renorm).</summary>
    private static bool Within(
        long count, ReadOnlySpan<double> mean, ReadOnlySpan<double> m2, ReadOnlySpan<double> inverseStd, ReadOnlySpan<double> r,
        ReadOnlySpan<double> d, double max) =>
        ChannelVectorMath.Within(mean, max, m2, Math.Min(max * count * (1 - 1e-12), double.MaxValue), inverseStd, max)
        && ChannelVectorMath.Within(r, max)
        && ChannelVectorMath.Within(d, max);

    private static bool Check(ref List<NonFiniteStatistic>? found, int? chunk, int channel, string quantity, double value, double max)
    {
        if (Math.Abs(value) <= max)
        {
            return true;
        }

        (found ??= []).Add(new NonFiniteStatistic(channel, quantity, value, chunk));
        return false;
    }

    private static void Check<T>(ref List<NonFiniteStatistic>? found, int channel, string quantity, ReadOnlySpan<T> values)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!T.IsFinite(values[channel]))
        {
            (found ??= []).Add(new NonFiniteStatistic(channel, quantity, double.CreateTruncating(values[channel]), null));
        }
    }

    /// <summary>
    /// "Non-finite batch statistics for x [8, 3] (channel axis 1): channel 2 batch mean NaN, batch variance NaN (the
    /// input holds …); set BatchNormConfig.AllowNonFinite to propagate them."
    /// </summary>
    private static NonFiniteStatisticsException Failure<T>(
        TensorView<T> x, int axis, string what, List<NonFiniteStatistic> found, IReadOnlyList<BatchNormChunk>? chunks, string cause)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Non-finite {what} for x [{string.Join(", ", x.Lengths.ToArray())}] {Name<T>()} (channel axis {axis}): ");
        var groups = found.GroupBy(s => (s.Chunk, s.Channel)).ToArray();
        foreach (var group in groups.Take(Listed))
        {
            if (group != groups[0])
            {
                text.Append("; ");
            }

            if (group.Key.Chunk is { } k && chunks is not null)
            {
                text.Append(CultureInfo.InvariantCulture, $"ghost chunk {k} (samples {chunks[k].Start}–{chunks[k].Start + chunks[k].Length - 1}) ");
            }

            text.Append(CultureInfo.InvariantCulture, $"channel {group.Key.Channel} ");
            text.AppendJoin(", ", group.Select(s => $"{s.Quantity} {Describe<T>(s.Value)}"));
        }

        if (groups.Length > Listed)
        {
            text.Append(CultureInfo.InvariantCulture, $"; and {groups.Length - Listed} more");
        }

        text.Append(CultureInfo.InvariantCulture, $" ({cause})");
        return new NonFiniteStatisticsException(text.ToString(), "set BatchNormConfig.AllowNonFinite to propagate them.", found, "x");
    }

    private static string Describe<T>(double value)
        where T : unmanaged, IFloatingPointIeee754<T> => value switch
        {
            double.NaN => "NaN",
            double.PositiveInfinity => "+∞",
            double.NegativeInfinity => "-∞",
            _ => string.Create(
                CultureInfo.InvariantCulture, $"{value:R} overflows {Name<T>()} (max {(typeof(T) == typeof(float) ? float.MaxValue.ToString(CultureInfo.InvariantCulture) : double.MaxValue.ToString(CultureInfo.InvariantCulture))})"),
        };

    /// <summary>The largest finite value of T (IFloatingPointIeee754 does not carry IMinMaxValue).</summary>
    private static double MaxValue<T>() => typeof(T) == typeof(float) ? float.MaxValue : double.MaxValue;

    private static string Name<T>() => typeof(T) == typeof(float) ? "float32" : "float64";
}
