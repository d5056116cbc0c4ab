namespace BnNative.Tests.MathNet;

/// <summary>
/// Tests that install a provider in MathNet's process-wide <c>LinearAlgebraControl.Provider</c> (or read it to check it
/// did not change): they run alone, after the parallel collections, and each restores the previous provider.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalProviderCollection
{
    /// <summary>The collection name.</summary>
    public const string Name = "MathNet global provider";
}
