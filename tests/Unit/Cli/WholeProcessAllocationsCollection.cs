namespace BnNative.Tests.Cli;

/// <summary>Tests that count allocations on every thread of the process: run after the parallel tests, one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class WholeProcessAllocationsCollection
{
    public const string Name = "Whole-process allocation counts";
}
