namespace BnNative.Native.Blas;

/// <summary>The configuration names (<c>mkl</c>, <c>openblas</c>, <c>blis</c>, <c>reference</c>) and display names of <see cref="BlasVendor"/>.</summary>
public static class BlasVendorNames
{
    /// <summary>Every vendor in the order automatic selection tries them.</summary>
    internal static readonly BlasVendor[] SearchOrder = [BlasVendor.Mkl, BlasVendor.OpenBlas, BlasVendor.Blis, BlasVendor.Reference];

    /// <summary>The name accepted by <see cref="CblasLibrary.Load(string?)"/> and the <c>BNNATIVE_BLAS</c> variable.</summary>
    /// <param name="vendor">The vendor.</param>
    /// <returns><c>mkl</c>, <c>openblas</c>, <c>blis</c> or <c>reference</c>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="vendor"/> is not a defined value.</exception>
    public static string ConfigName(this BlasVendor vendor) => vendor switch
    {
        BlasVendor.Mkl => "mkl",
        BlasVendor.OpenBlas => "openblas",
        BlasVendor.Blis => "blis",
        BlasVendor.Reference => "reference",
        _ => throw new ArgumentOutOfRangeException(nameof(vendor), vendor, "Unknown BLAS vendor."),
    };

    /// <summary>The name people know the library by.</summary>
    /// <param name="vendor">The vendor.</param>
    /// <returns><c>MKL</c>, <c>OpenBLAS</c>, <c>BLIS</c> or <c>reference BLAS</c>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="vendor"/> is not a defined value.</exception>
    public static string DisplayName(this BlasVendor vendor) => vendor switch
    {
        BlasVendor.Mkl => "MKL",
        BlasVendor.OpenBlas => "OpenBLAS",
        BlasVendor.Blis => "BLIS",
        BlasVendor.Reference => "reference BLAS",
        _ => throw new ArgumentOutOfRangeException(nameof(vendor), vendor, "Unknown BLAS vendor."),
    };

    /// <summary>Parses a configuration name (<see cref="ConfigName"/>), ignoring case and surrounding blanks.</summary>
    /// <param name="name">The name to parse.</param>
    /// <param name="vendor">The vendor; <see cref="BlasVendor.Mkl"/> when the name is not known.</param>
    /// <returns>Whether the name is known.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    public static bool TryParse(string name, out BlasVendor vendor)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (BlasVendor candidate in SearchOrder)
        {
            if (string.Equals(name.Trim(), candidate.ConfigName(), StringComparison.OrdinalIgnoreCase))
            {
                vendor = candidate;
                return true;
            }
        }

        vendor = default;
        return false;
    }
}
