using Xunit.Abstractions;
using Xunit.Sdk;

namespace BnNative.Tests;

/// <summary>
/// Base of the discoverers that run a test once per row (a backend, a BLAS vendor …) and report a row whose
/// native library cannot load as skipped, with the reason.
/// </summary>
public abstract class RowsDiscoverer : IXunitTestCaseDiscoverer
{
    private readonly IMessageSink _sink;

    /// <summary>Created by xunit with its diagnostic sink.</summary>
    protected RowsDiscoverer(IMessageSink diagnosticMessageSink) => _sink = diagnosticMessageSink;

    /// <inheritdoc />
    public IEnumerable<IXunitTestCase> Discover(
        ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        var display = discoveryOptions.MethodDisplayOrDefault();
        var displayOptions = discoveryOptions.MethodDisplayOptionsOrDefault();
        foreach (var (argument, skip) in Rows(factAttribute))
        {
            object[] arguments = [argument];
            yield return skip is null
                ? new XunitTestCase(_sink, display, displayOptions, testMethod, arguments)
                : new XunitSkippedDataRowTestCase(_sink, display, displayOptions, testMethod, skip, arguments);
        }
    }

    /// <summary>The single argument of each row, and why the row is skipped (null: it runs), for the test's attribute.</summary>
    protected abstract IEnumerable<(object Argument, string? Skip)> Rows(IAttributeInfo attribute);
}
