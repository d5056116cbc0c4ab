using System.Collections.Concurrent;
using BnNative.Native.Blas;

namespace BnNative.Tests.Blas;

/// <summary>
/// The BLAS vendors every <see cref="BlasTheoryAttribute"/> test runs against: the three Debian packages CI
/// installs, and MKL for the theories that opt in (<see cref="BlasTheoryAttribute.IncludeMkl"/>). One that cannot
/// load is reported as skipped with the loader's reason, unless BNNATIVE_REQUIRE_NATIVE=1, in which case the three
/// Debian ones run and fail; MKL is not installable on CI, so its rows skip even then.
/// </summary>
public static class BlasTestVendors
{
    /// <summary>The vendors under test: the ones CI must have.</summary>
    public static readonly BlasVendor[] All = [BlasVendor.OpenBlas, BlasVendor.Blis, BlasVendor.Reference];

    private static readonly ConcurrentDictionary<BlasVendor, string?> SkipReasons = new();

    /// <summary>True when BNNATIVE_REQUIRE_NATIVE=1: a vendor that cannot load fails instead of skipping.</summary>
    public static bool NativeRequired => Environment.GetEnvironmentVariable("BNNATIVE_REQUIRE_NATIVE") == "1";

    /// <summary>The vendors of a theory: <see cref="All"/>, and MKL after them when <paramref name="includeMkl"/>.</summary>
    public static BlasVendor[] Rows(bool includeMkl) => includeMkl ? [.. All, BlasVendor.Mkl] : All;

    /// <summary>Why tests of <paramref name="vendor"/> are skipped, or null when they run.</summary>
    public static string? SkipReason(BlasVendor vendor) =>
        NativeRequired && All.Contains(vendor)
            ? null
            : SkipReasons.GetOrAdd(vendor, v => CblasLibrary.TryLoad(v.ConfigName(), out _, out string failure)
                ? null
                : $"{v.DisplayName()} is not available{(All.Contains(v) ? " (set BNNATIVE_REQUIRE_NATIVE=1 to fail instead)" : string.Empty)}: {failure}");
}
