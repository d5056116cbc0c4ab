using Xunit.Abstractions;

namespace BnNative.Tests.Blas;

/// <summary>One test case per vendor for <see cref="BlasTheoryAttribute"/>, skipped when the vendor cannot load.</summary>
public sealed class BlasTheoryDiscoverer(IMessageSink diagnosticMessageSink) : RowsDiscoverer(diagnosticMessageSink)
{
    /// <inheritdoc />
    protected override IEnumerable<(object Argument, string? Skip)> Rows(IAttributeInfo attribute) =>
        BlasTestVendors.Rows(attribute.GetNamedArgument<bool>(nameof(BlasTheoryAttribute.IncludeMkl)))
            .Select(vendor => ((object)vendor, BlasTestVendors.SkipReason(vendor)));
}
