using System.Diagnostics;

namespace BnNative.Cli.Bench;

/// <summary>
/// Times a kernel against its floor in the same run: after warm-up, each round makes one floor call and then one
/// kernel call; the results are the medians over the rounds. Interleaving exposes both to the same drifts of a shared
/// machine (frequency, neighbours, page cache), which timing them one after another would not.
/// </summary>
internal static class PairedTiming
{
    // Warm-up lasts long enough for tiered compilation to install optimized code (call counting plus its 100 ms delay),
    // bounded in calls for tiny tensors.
    private static readonly TimeSpan WarmupTime = TimeSpan.FromMilliseconds(300);
    private const int MinWarmupPairs = 3;
    private const int MaxWarmupPairs = 20_000;

    /// <summary>Warms up, then runs <paramref name="rounds"/> rounds of (floor, kernel).</summary>
    /// <param name="floor">One floor pass.</param>
    /// <param name="kernel">One kernel call.</param>
    /// <param name="rounds">Timed rounds, ≥ 1.</param>
    /// <returns>The medians, and the bytes the kernel calls allocated on any thread, per call.</returns>
    public static PairedTimes Measure(Action floor, Action kernel, int rounds)
    {
        ArgumentNullException.ThrowIfNull(floor);
        ArgumentNullException.ThrowIfNull(kernel);
        ArgumentOutOfRangeException.ThrowIfLessThan(rounds, 1);
        var warmup = Stopwatch.StartNew();
        for (int pair = 0; pair < MaxWarmupPairs && (pair < MinWarmupPairs || warmup.Elapsed < WarmupTime); pair++)
        {
            floor();
            kernel();
        }

        var floorTimes = new double[rounds];
        var kernelTimes = new double[rounds];
        long allocated = 0;
        for (int round = 0; round < rounds; round++)
        {
            long start = Stopwatch.GetTimestamp();
            floor();
            floorTimes[round] = Milliseconds(start);

            long before = GC.GetTotalAllocatedBytes(precise: true);
            start = Stopwatch.GetTimestamp();
            kernel();
            kernelTimes[round] = Milliseconds(start);
            allocated += GC.GetTotalAllocatedBytes(precise: true) - before;
        }

        return new PairedTimes(Median(kernelTimes), Median(floorTimes), (long)Math.Round((double)allocated / rounds));
    }

    // Stopwatch.GetElapsedTime rounds to TimeSpan's 100 ns ticks; calls on tiny tensors take a few hundred nanoseconds.
    private static double Milliseconds(long start) => (Stopwatch.GetTimestamp() - start) * 1e3 / Stopwatch.Frequency;

    /// <summary>The middle value, or the mean of the two middle values for an even count.</summary>
    public static double Median(double[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfZero(values.Length);
        var sorted = values.Order().ToArray();
        int middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
