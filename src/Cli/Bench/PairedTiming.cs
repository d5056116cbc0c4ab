using System.Diagnostics;

namespace BnNative.Cli.Bench;

/// <summary>
/// Times a kernel against its floor in the same run: after warm-up, each round makes a batch of floor calls and then
/// a batch of kernel calls, of the same size; the results are the medians over the rounds, per call. Interleaving
/// exposes both to the same drifts of a shared machine (frequency, neighbours, page cache), which timing them one after
/// another would not. A batch is one call unless a kernel call takes less than <see cref="BatchMicroseconds"/>: then
/// enough calls to fill it, so that reading the clock (tens of nanoseconds) does not count as part of a sub-microsecond call.
/// </summary>
internal static class PairedTiming
{
    // Warm-up lasts long enough for tiered compilation to install optimized code (call counting plus its 100 ms delay)
    // for tiny tensors too: a bound of 20,000 calls stopped a [32, 64] row after about 25 ms, and code the bench's own
    // warm-up had not reached (its small tensors take other paths) was timed half-compiled, 1.05 µs against 0.57 µs.
    private static readonly TimeSpan WarmupTime = TimeSpan.FromMilliseconds(300);
    private const int MinWarmupPairs = 3;
    private const int MaxWarmupPairs = 100_000_000;

    /// <summary>Shortest time a timed batch of calls should take.</summary>
    public const double BatchMicroseconds = 5;

    /// <summary>Most calls in one timed batch.</summary>
    public const int MaxCallsPerBatch = 1000;

    /// <summary>Calls per timed batch for a call of <paramref name="callMicroseconds"/>: enough to fill <see cref="BatchMicroseconds"/>, at least 1.</summary>
    public static int CallsPerBatch(double callMicroseconds) =>
        callMicroseconds >= BatchMicroseconds ? 1
        : callMicroseconds <= BatchMicroseconds / MaxCallsPerBatch ? MaxCallsPerBatch
        : (int)Math.Ceiling(BatchMicroseconds / callMicroseconds);

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

        long probe = Stopwatch.GetTimestamp();
        kernel();
        kernel();
        kernel();
        int calls = CallsPerBatch(Milliseconds(probe) * 1e3 / 3);

        var floorTimes = new double[rounds];
        var kernelTimes = new double[rounds];
        for (int round = 0; round < rounds; round++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int call = 0; call < calls; call++)
            {
                floor();
            }

            floorTimes[round] = Milliseconds(start) / calls;

            start = Stopwatch.GetTimestamp();
            for (int call = 0; call < calls; call++)
            {
                kernel();
            }

            kernelTimes[round] = Milliseconds(start) / calls;
        }

        // Allocations are counted after the timed rounds, over as many calls: the precise count makes every core flush
        // its write buffers (a system call and interrupts), and a kernel timed right after it ran up to 2× slower in cache.
        long before = GC.GetTotalAllocatedBytes(precise: true);
        for (int call = 0; call < rounds * calls; call++)
        {
            kernel();
        }

        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        return new PairedTimes(Median(kernelTimes), Median(floorTimes), (long)Math.Round((double)allocated / ((double)rounds * calls)));
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
