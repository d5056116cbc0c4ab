using System.Runtime.InteropServices;

namespace BnNative.Native.Blas;

/// <summary>
/// The native entry points of one loaded CBLAS library, as unmanaged function pointers resolved from that
/// library's handle.
/// </summary>
/// <remarks>
/// <para>
/// Not <c>[LibraryImport]</c>: a <c>LibraryImport</c> binds a fixed library name, and the runtime resolves that
/// name once per process, so a process could only ever reach one BLAS. BnNative keeps several BLAS libraries
/// loaded side by side (each <c>dlopen</c>ed with <c>RTLD_LOCAL</c>, never globally, so their identical
/// <c>cblas_*</c> names cannot interpose on each other) and needs the functions of each handle separately; an
/// instance of this class holds one handle's functions.
/// </para>
/// <para>
/// Signatures follow <c>cblas.h</c> with 32-bit integers (LP64): OpenBLAS <c>blasint</c>, BLIS <c>f77_int</c>
/// with a 32-bit BLAS integer size, MKL's default LP64 interface. BLIS's thread controls take and return
/// <c>dim_t</c>, whose width <see cref="BlisIntegerBits"/> records.
/// </para>
/// </remarks>
internal sealed unsafe class CblasEntryPoints
{
    private CblasEntryPoints(nint handle, Func<string, nint> required)
    {
        Handle = handle;
        Sdot = (delegate* unmanaged[Cdecl]<int, float*, int, float*, int, float>)required("cblas_sdot");
        Ddot = (delegate* unmanaged[Cdecl]<int, double*, int, double*, int, double>)required("cblas_ddot");
        Dsdot = (delegate* unmanaged[Cdecl]<int, float*, int, float*, int, double>)required("cblas_dsdot");
        Saxpy = (delegate* unmanaged[Cdecl]<int, float, float*, int, float*, int, void>)required("cblas_saxpy");
        Daxpy = (delegate* unmanaged[Cdecl]<int, double, double*, int, double*, int, void>)required("cblas_daxpy");
        Sscal = (delegate* unmanaged[Cdecl]<int, float, float*, int, void>)required("cblas_sscal");
        Dscal = (delegate* unmanaged[Cdecl]<int, double, double*, int, void>)required("cblas_dscal");
        Scopy = (delegate* unmanaged[Cdecl]<int, float*, int, float*, int, void>)required("cblas_scopy");
        Dcopy = (delegate* unmanaged[Cdecl]<int, double*, int, double*, int, void>)required("cblas_dcopy");
        Sgemv = (delegate* unmanaged[Cdecl]<CblasOrder, CblasTranspose, int, int, float, float*, int, float*, int, float, float*, int, void>)required("cblas_sgemv");
        Dgemv = (delegate* unmanaged[Cdecl]<CblasOrder, CblasTranspose, int, int, double, double*, int, double*, int, double, double*, int, void>)required("cblas_dgemv");
        Sgemm = (delegate* unmanaged[Cdecl]<CblasOrder, CblasTranspose, CblasTranspose, int, int, int, float, float*, int, float*, int, float, float*, int, void>)required("cblas_sgemm");
        Dgemm = (delegate* unmanaged[Cdecl]<CblasOrder, CblasTranspose, CblasTranspose, int, int, int, double, double*, int, double*, int, double, double*, int, void>)required("cblas_dgemm");

        OpenblasSetNumThreads = (delegate* unmanaged[Cdecl]<int, void>)Optional("openblas_set_num_threads");
        OpenblasGetNumThreads = (delegate* unmanaged[Cdecl]<int>)Optional("openblas_get_num_threads");
        OpenblasGetConfig = (delegate* unmanaged[Cdecl]<byte*>)Optional("openblas_get_config");
        OpenblasGetCorename = (delegate* unmanaged[Cdecl]<byte*>)Optional("openblas_get_corename");
        BliThreadSetNumThreads = Optional("bli_thread_set_num_threads");
        BliThreadGetNumThreads = Optional("bli_thread_get_num_threads");
        BliInfoGetVersionStr = (delegate* unmanaged[Cdecl]<byte*>)Optional("bli_info_get_version_str");
        BliArchQueryId = (delegate* unmanaged[Cdecl]<int>)Optional("bli_arch_query_id");
        BliArchString = (delegate* unmanaged[Cdecl]<int, byte*>)Optional("bli_arch_string");
        MklSetNumThreads = (delegate* unmanaged[Cdecl]<int, void>)Optional("MKL_Set_Num_Threads");
        MklGetMaxThreads = (delegate* unmanaged[Cdecl]<int>)Optional("MKL_Get_Max_Threads");
        MklGetVersionString = (delegate* unmanaged[Cdecl]<byte*, int, void>)Optional("MKL_Get_Version_String");

        // mkl_rt fixes its integer interface at its first call, so choosing LP64 must come before anything else.
        const int MklInterfaceLp64 = 0;
        var setInterfaceLayer = (delegate* unmanaged[Cdecl]<int, int>)Optional("MKL_Set_Interface_Layer");
        MklInterfaceLayer = setInterfaceLayer is null ? null : setInterfaceLayer(MklInterfaceLp64);

        // gint_t (returned by bli_info_get_*_size) is 32 or 64 bits; reading it as int keeps the low half of the
        // return register, which holds the whole small value either way.
        var intTypeSize = (delegate* unmanaged[Cdecl]<int>)Optional("bli_info_get_int_type_size");
        var blasIntTypeSize = (delegate* unmanaged[Cdecl]<int>)Optional("bli_info_get_blas_int_type_size");
        BlisIntegerBits = intTypeSize is null ? 64 : intTypeSize();
        BlisBlasIntegerBits = blasIntTypeSize is null ? 32 : blasIntTypeSize();

        nint Optional(string name) => NativeLibrary.TryGetExport(handle, name, out nint address) ? address : 0;
    }

    /// <summary>The handle the functions were resolved from.</summary>
    public nint Handle { get; }

    /// <summary><c>float cblas_sdot(int n, const float* x, int incX, const float* y, int incY)</c>.</summary>
    public delegate* unmanaged[Cdecl]<int, float*, int, float*, int, float> Sdot { get; }

    /// <summary><c>double cblas_ddot(int n, const double* x, int incX, const double* y, int incY)</c>.</summary>
    public delegate* unmanaged[Cdecl]<int, double*, int, double*, int, double> Ddot { get; }

    /// <summary><c>double cblas_dsdot(int n, const float* x, int incX, const float* y, int incY)</c>.</summary>
    public delegate* unmanaged[Cdecl]<int, float*, int, float*, int, double> Dsdot { get; }

    /// <summary><c>void cblas_saxpy(int n, float alpha, const float* x, int incX, float* y, int incY)</c>.</summary>
    public delegate* unmanaged[Cdecl]<int, float, float*, int, float*, int, void> Saxpy { get; }

    /// <summary><c>void cblas_daxpy(int n, double alpha, const double* x, int incX, double* y, int incY)</c>.</summary>
    public delegate* unmanaged[Cdecl]<int, double, double*, int, double*, int, void> Daxpy { get; }

    /// <summary><c>void cblas_sscal(int n, float alpha, float* x, int incX)</c>.</summary>
    public delegate* unmanaged[Cdecl]<int, float, float*, int, void> Sscal { get; }

    /// <summary><c>void cblas_dscal(int n, double alpha, double* x, int incX)</c>.</summary>
    public delegate* unmanaged[Cdecl]<int, double, double*, int, void> Dscal { get; }

    /// <summary><c>void cblas_scopy(int n, const float* x, int incX, float* y, int incY)</c>.</summary>
    public delegate* unmanaged[Cdecl]<int, float*, int, float*, int, void> Scopy { get; }

    /// <summary><c>void cblas_dcopy(int n, const double* x, int incX, double* y, int incY)</c>.</summary>
    public delegate* unmanaged[Cdecl]<int, double*, int, double*, int, void> Dcopy { get; }

    /// <summary><c>cblas_sgemv(order, transA, m, n, alpha, a, lda, x, incX, beta, y, incY)</c>.</summary>
    public delegate* unmanaged[Cdecl]<CblasOrder, CblasTranspose, int, int, float, float*, int, float*, int, float, float*, int, void> Sgemv { get; }

    /// <summary><c>cblas_dgemv(order, transA, m, n, alpha, a, lda, x, incX, beta, y, incY)</c>.</summary>
    public delegate* unmanaged[Cdecl]<CblasOrder, CblasTranspose, int, int, double, double*, int, double*, int, double, double*, int, void> Dgemv { get; }

    /// <summary><c>cblas_sgemm(order, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)</c>.</summary>
    public delegate* unmanaged[Cdecl]<CblasOrder, CblasTranspose, CblasTranspose, int, int, int, float, float*, int, float*, int, float, float*, int, void> Sgemm { get; }

    /// <summary><c>cblas_dgemm(order, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)</c>.</summary>
    public delegate* unmanaged[Cdecl]<CblasOrder, CblasTranspose, CblasTranspose, int, int, int, double, double*, int, double*, int, double, double*, int, void> Dgemm { get; }

    /// <summary><c>void openblas_set_num_threads(int)</c>, or null.</summary>
    public delegate* unmanaged[Cdecl]<int, void> OpenblasSetNumThreads { get; }

    /// <summary><c>int openblas_get_num_threads(void)</c>, or null.</summary>
    public delegate* unmanaged[Cdecl]<int> OpenblasGetNumThreads { get; }

    /// <summary><c>char* openblas_get_config(void)</c>, or null.</summary>
    public delegate* unmanaged[Cdecl]<byte*> OpenblasGetConfig { get; }

    /// <summary><c>char* openblas_get_corename(void)</c>, or null.</summary>
    public delegate* unmanaged[Cdecl]<byte*> OpenblasGetCorename { get; }

    /// <summary>Address of <c>void bli_thread_set_num_threads(dim_t)</c>, or 0; see <see cref="BlisIntegerBits"/>.</summary>
    public nint BliThreadSetNumThreads { get; }

    /// <summary>Address of <c>dim_t bli_thread_get_num_threads(void)</c>, or 0; see <see cref="BlisIntegerBits"/>.</summary>
    public nint BliThreadGetNumThreads { get; }

    /// <summary><c>char* bli_info_get_version_str(void)</c>, or null.</summary>
    public delegate* unmanaged[Cdecl]<byte*> BliInfoGetVersionStr { get; }

    /// <summary><c>arch_t bli_arch_query_id(void)</c> (an enum, so a C int), or null.</summary>
    public delegate* unmanaged[Cdecl]<int> BliArchQueryId { get; }

    /// <summary><c>const char* bli_arch_string(arch_t)</c>, or null.</summary>
    public delegate* unmanaged[Cdecl]<int, byte*> BliArchString { get; }

    /// <summary>Width of BLIS's <c>dim_t</c>/<c>gint_t</c> (64 in the usual builds).</summary>
    public int BlisIntegerBits { get; }

    /// <summary>Width of the integers of BLIS's BLAS/CBLAS layer; BnNative needs 32.</summary>
    public int BlisBlasIntegerBits { get; }

    /// <summary><c>void MKL_Set_Num_Threads(int)</c>, or null.</summary>
    public delegate* unmanaged[Cdecl]<int, void> MklSetNumThreads { get; }

    /// <summary><c>int MKL_Get_Max_Threads(void)</c>, or null.</summary>
    public delegate* unmanaged[Cdecl]<int> MklGetMaxThreads { get; }

    /// <summary><c>void MKL_Get_Version_String(char* buffer, int length)</c>, or null: fills a caller buffer.</summary>
    public delegate* unmanaged[Cdecl]<byte*, int, void> MklGetVersionString { get; }

    /// <summary>
    /// What <c>MKL_Set_Interface_Layer(LP64)</c> returned (the interface now in force; bit 0 set means ILP64), or
    /// null when the library is not <c>mkl_rt</c>.
    /// </summary>
    public int? MklInterfaceLayer { get; }

    /// <summary>Resolves every function from <paramref name="handle"/>.</summary>
    /// <param name="handle">A handle from <see cref="NativeLibrary.Load(string)"/>.</param>
    /// <param name="missing">The required CBLAS symbols the library does not export, comma-separated; null on success.</param>
    /// <returns>The entry points, or null when a required symbol is missing.</returns>
    public static CblasEntryPoints? TryResolve(nint handle, out string? missing)
    {
        var absent = new List<string>();
        var entryPoints = new CblasEntryPoints(handle, name =>
        {
            if (NativeLibrary.TryGetExport(handle, name, out nint address))
            {
                return address;
            }

            absent.Add(name);
            return 0;
        });
        missing = absent.Count == 0 ? null : string.Join(", ", absent);
        return absent.Count == 0 ? entryPoints : null;
    }

    /// <summary>Identifies the vendor by the symbols only that vendor exports.</summary>
    public BlasVendor IdentifyVendor() =>
        MklGetVersionString is not null ? BlasVendor.Mkl
        : OpenblasGetConfig is not null ? BlasVendor.OpenBlas
        : BliInfoGetVersionStr is not null ? BlasVendor.Blis
        : BlasVendor.Reference;
}
