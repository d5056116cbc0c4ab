using Xunit.Abstractions;

namespace BnNative.Tests;

/// <summary>One test case per backend for <see cref="BackendTheoryAttribute"/>, skipped when the backend cannot load.</summary>
public sealed class BackendTheoryDiscoverer(IMessageSink diagnosticMessageSink) : RowsDiscoverer(diagnosticMessageSink)
{
    /// <inheritdoc />
    protected override IEnumerable<(object Argument, string? Skip)> Rows(IAttributeInfo attribute) =>
        TestBackends.Names.Select(name => ((object)name, TestBackends.SkipReason(name)));
}
