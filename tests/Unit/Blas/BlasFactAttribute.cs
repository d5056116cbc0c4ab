using BnNative.Native.Blas;

namespace BnNative.Tests.Blas;

/// <summary>
/// A test of one BLAS vendor (for code that names it, like the README's examples): skipped with the loader's reason when
/// the vendor cannot load, as a <see cref="BlasTheoryAttribute"/> row is (see <see cref="BlasTestVendors.SkipReason"/>),
/// so it runs and fails instead when BNNATIVE_REQUIRE_NATIVE=1 and the vendor is one CI must have.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class BlasFactAttribute : FactAttribute
{
    /// <summary>Sets Skip when <paramref name="vendor"/> cannot load and is not required.</summary>
    /// <param name="vendor">The vendor the test loads.</param>
    public BlasFactAttribute(BlasVendor vendor)
    {
        Vendor = vendor;
        Skip = BlasTestVendors.SkipReason(vendor);
    }

    /// <summary>The vendor the test loads.</summary>
    public BlasVendor Vendor { get; }
}
