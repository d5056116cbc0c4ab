using System.Collections.Concurrent;
using BnNative.Native.Blas;

namespace BnNative.Tests.Blas;

/// <summary>
/// The BLAS vendors every <see cref="BlasTheoryAttribute"/> test runs against: the three Debian packages CI
/// installs (MKL is not installable there). One that cannot load is reported as skipped with the loader's reason,
/// unless BNNATIVE_REQUIRE_NATIVE=1, in which case it runs and fails.
/// </summary>
public static class BlasTestVendors
{
    /// <summary>The vendors under test.</summary>
    public static readonly BlasVendor[] All = [BlasVendor.OpenBlas, BlasVendor.Blis, BlasVendor.Reference];

    private static readonly ConcurrentDictionary<BlasVendor, string?> SkipReasons = new();

    /// <summary>True when BNNATIVE_REQUIRE_NATIVE=1: a vendor that cannot load fails instead of skipping.</summary>
    public static bool NativeRequired => Environment.GetEnvironmentVariable("BNNATIVE_REQUIRE_NATIVE") == "1";

    /// <summary>Why tests of <paramref name="vendor"/> are skipped, or null when they run.</summary>
    public static string? SkipReason(BlasVendor vendor) =>
        NativeRequired
            ? null
            : SkipReasons.GetOrAdd(vendor, v => CblasLibrary.TryLoad(v.ConfigName(), out _, out string failure)
                ? null
                : $"{v.DisplayName()} is not available (set BNNATIVE_REQUIRE_NATIVE=1 to fail instead): {failure}");
}
