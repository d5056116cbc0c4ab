using Xunit.Sdk;

namespace BnNative.Tests;

/// <summary>
/// A test that runs once per moments backend (<see cref="TestBackends.Names"/>), passing the backend name as
/// the only argument. A native backend that cannot load is reported as skipped with the reason.
/// </summary>
/// <remarks>
/// Derives from <see cref="FactAttribute"/>, not <see cref="TheoryAttribute"/>: the rows come from the
/// discoverer, and the xunit analyzers reject a theory attribute without a data attribute (xUnit1003).
/// </remarks>
[AttributeUsage(AttributeTargets.Method)]
[XunitTestCaseDiscoverer("BnNative.Tests.BackendTheoryDiscoverer", TestAssembly.Name)]
public sealed class BackendTheoryAttribute : FactAttribute
{
}
