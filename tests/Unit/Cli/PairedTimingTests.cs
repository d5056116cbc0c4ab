using BnNative.Cli.Bench;

namespace BnNative.Tests.Cli;

/// <summary>Sub-microsecond calls are timed in batches, and every figure the bench reports is per call.</summary>
public sealed class PairedTimingTests
{
    [Theory]
    [InlineData(100.0, 1)]
    [InlineData(5.0, 1)]
    [InlineData(4.9, 2)]
    [InlineData(0.5, 10)]
    [InlineData(0.005, 1000)]
    [InlineData(0.001, 1000)]
    [InlineData(0.0, 1000)]
    public void ABatchFillsTheBatchTimeWithinItsBounds(double callMicroseconds, int expected)
    {
        Assert.Equal(expected, PairedTiming.CallsPerBatch(callMicroseconds));
    }

    [Fact]
    public void AllocationsAreReportedPerCallWhateverTheBatch()
    {
        // A call that allocates one 1,000-byte array (1,024 bytes with the array's header and length), fast enough to be
        // batched: the per-call figure must not be multiplied by the batch size.
        byte[]? last = null;
        var times = PairedTiming.Measure(() => { }, () => last = new byte[1000], rounds: 5);

        Assert.NotNull(last);
        Assert.InRange(times.AllocatedBytesPerCall, 1000, 1100);
        Assert.True(times.KernelMs >= 0 && times.FloorMs >= 0);
    }
}
