namespace BnNative.Cli.Bench;

/// <summary>What <see cref="PairedTiming.Measure"/> found.</summary>
/// <param name="KernelMs">Median kernel time, milliseconds.</param>
/// <param name="FloorMs">Median floor time, milliseconds.</param>
/// <param name="AllocatedBytesPerCall">Bytes allocated per timed kernel call (all threads), rounded.</param>
internal readonly record struct PairedTimes(double KernelMs, double FloorMs, long AllocatedBytesPerCall);
