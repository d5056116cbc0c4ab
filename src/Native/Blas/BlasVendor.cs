namespace BnNative.Native.Blas;

/// <summary>
/// The BLAS implementations BnNative knows how to find and identify. All of them are called through the
/// same CBLAS ABI (32-bit integers, row/column-major enums 101/102, transpose enums 111/112).
/// </summary>
/// <remarks>
/// A loaded library is identified by what it exports, not by its file name:
/// <c>MKL_Get_Version_String</c> → <see cref="Mkl"/>, <c>openblas_get_config</c> → <see cref="OpenBlas"/>,
/// <c>bli_info_get_version_str</c> → <see cref="Blis"/>, none of these → <see cref="Reference"/>
/// (Apple Accelerate, which exports none of them, also counts as <see cref="Reference"/>).
/// </remarks>
public enum BlasVendor
{
    /// <summary>Intel oneMKL through its single dynamic library <c>mkl_rt</c> (configuration name <c>mkl</c>).</summary>
    Mkl,

    /// <summary>OpenBLAS (configuration name <c>openblas</c>).</summary>
    OpenBlas,

    /// <summary>BLIS with its CBLAS compatibility layer (configuration name <c>blis</c>).</summary>
    Blis,

    /// <summary>The Netlib reference BLAS with CBLAS (configuration name <c>reference</c>).</summary>
    Reference,
}
