using Xunit.Sdk;

namespace BnNative.Tests.Blas;

/// <summary>
/// A theory that runs once per vendor in <see cref="BlasTestVendors.All"/> (and MKL with <see cref="IncludeMkl"/>),
/// passing the <see cref="Native.Blas.BlasVendor"/> as the only argument; a vendor that cannot load is reported as
/// skipped with the reason (see <see cref="BlasTestVendors.SkipReason"/>).
/// </summary>
/// <remarks>
/// Derives from <see cref="FactAttribute"/>, not <see cref="TheoryAttribute"/>: the rows come from the discoverer,
/// and the xunit analyzers reject a theory attribute without a data attribute (xUnit1003).
/// </remarks>
[AttributeUsage(AttributeTargets.Method)]
[XunitTestCaseDiscoverer("BnNative.Tests.Blas.BlasTheoryDiscoverer", TestAssembly.Name)]
public sealed class BlasTheoryAttribute : FactAttribute
{
    /// <summary>
    /// Also run on MKL where it loads (skipped where it does not). Only for tests whose expectations hold for any
    /// CBLAS: the loading tests spell out what each of the three Debian libraries reports about itself.
    /// </summary>
    public bool IncludeMkl { get; set; }
}
