using BnNative.Collections;
using BnNative.Moments;

namespace BnNative.Sync;

/// <summary>The collectives synchronized batch norm runs over an <see cref="IStatisticsExchange"/>, merged in rank order.</summary>
internal static class SyncStatistics
{
    /// <summary>
    /// Checks that every worker has the same channel count and element type before any data moves, so a mismatch is an
    /// error on every worker rather than a hang or a garbled exchange.
    /// </summary>
    public static void Agree(IStatisticsExchange exchange, int channels, int elementBytes)
    {
        Span<double> local = [channels, elementBytes];
        var all = new double[2 * exchange.Size];
        exchange.AllGather(local, all);
        for (int r = 1; r < exchange.Size; r++)
        {
            if (all[2 * r] != all[0] || all[(2 * r) + 1] != all[1])
            {
                var described = Enumerable.Range(0, exchange.Size)
                    .Select(rank => $"rank {rank}: {all[2 * rank]} channels of {(all[(2 * rank) + 1] == 4 ? "float32" : "float64")}");
                throw new StatisticsExchangeException(
                    $"Synchronized statistics need the same channel count and element type on every worker; {string.Join(", ", described)}.");
            }
        }
    }

    /// <summary>Gathers every worker's (n, mean, M2) and merges them with Chan's formula in rank order.</summary>
    public static BatchMoments AllMerge(IStatisticsExchange exchange, BatchMoments local)
    {
        int channels = local.Channels;
        int width = 1 + (2 * channels);
        var packed = new double[width];
        packed[0] = local.Count;
        local.Mean.AsSpan().CopyTo(packed.AsSpan(1, channels));
        local.M2.AsSpan().CopyTo(packed.AsSpan(1 + channels, channels));
        var all = new double[width * exchange.Size];
        exchange.AllGather(packed, all);
        long count = 0;
        var mean = new double[channels];
        var m2 = new double[channels];
        for (int r = 0; r < exchange.Size; r++)
        {
            var part = all.AsSpan(r * width, width);
            long n = checked((long)part[0]);
            var partMean = part.Slice(1, channels);
            var partM2 = part.Slice(1 + channels, channels);
            for (int c = 0; c < channels; c++)
            {
                (mean[c], m2[c]) = BatchMoments.MergeChannel(count, mean[c], m2[c], n, partMean[c], partM2[c]);
            }

            count = checked(count + n);
        }

        return new BatchMoments(count, ReadOnlyVector<double>.Adopt(mean), ReadOnlyVector<double>.Adopt(m2));
    }

    /// <summary>Replaces <paramref name="values"/> by the sum over all workers, added in rank order.</summary>
    public static void AllSum(IStatisticsExchange exchange, Span<double> values)
    {
        var all = new double[values.Length * exchange.Size];
        exchange.AllGather(values, all);
        values.Clear();
        for (int r = 0; r < exchange.Size; r++)
        {
            var part = all.AsSpan(r * values.Length, values.Length);
            for (int i = 0; i < values.Length; i++)
            {
                values[i] += part[i];
            }
        }
    }
}
