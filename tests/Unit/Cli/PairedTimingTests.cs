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
}
