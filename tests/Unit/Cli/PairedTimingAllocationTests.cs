using BnNative.Cli.Bench;

namespace BnNative.Tests.Cli;

/// <summary>
/// The bench counts the bytes allocated on every thread, so this runs alone (other tests allocating meanwhile would
/// count too).
/// </summary>
[Collection(WholeProcessAllocationsCollection.Name)]
public sealed class PairedTimingAllocationTests
{
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
