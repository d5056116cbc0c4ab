namespace BnNative.Tests.Blas;

/// <summary>
/// BLAS tests run one at a time: thread-count changes are process-wide for a library, and concurrent first loads
/// would make failures harder to read.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NativeBlasCollection
{
    /// <summary>The collection name.</summary>
    public const string Name = "Native BLAS";
}
