namespace BnNative.Native.Blas;

/// <summary>
/// Small calls with known exact answers, run once on every library before it is accepted: they catch a wrong
/// calling convention, a 64-bit-integer (ILP64) build, a row/column-major mix-up or a broken build before any
/// real data reaches the library.
/// </summary>
internal static unsafe class CblasVerification
{
    /// <summary>Refuses builds whose integer width BnNative cannot call, then runs the verification calls.</summary>
    /// <param name="native">The library's entry points.</param>
    /// <param name="vendor">The vendor identified from the exports.</param>
    /// <param name="config">The library's configuration string.</param>
    /// <returns>Why the library was rejected, or null when it passed.</returns>
    public static string? Check(CblasEntryPoints native, BlasVendor vendor, string config)
    {
        if (vendor == BlasVendor.OpenBlas && config.Contains("USE64BITINT", StringComparison.Ordinal))
        {
            return "built with 64-bit integers (USE64BITINT); BnNative calls the 32-bit CBLAS interface";
        }

        if (vendor == BlasVendor.Blis && native.BlisBlasIntegerBits != 32)
        {
            return $"its BLAS interface uses {native.BlisBlasIntegerBits}-bit integers; BnNative calls the 32-bit CBLAS interface";
        }

        if (native.MklInterfaceLayer is int layer && layer > 0 && (layer & 1) != 0)
        {
            return "mkl_rt is set to its ILP64 interface (MKL_INTERFACE_LAYER); BnNative calls the LP64 interface";
        }

        return Run(native);
    }

    private static string? Run(CblasEntryPoints native)
    {
        float* xs = stackalloc float[] { 1, 2, 3 };
        float* ys = stackalloc float[] { 4, 5, 6 };
        double* xd = stackalloc double[] { 1, 2, 3 };
        double* yd = stackalloc double[] { 4, 5, 6 };

        float sdot = native.Sdot(3, xs, 1, ys, 1);
        if (sdot != 32f)
        {
            return Failed("cblas_sdot([1,2,3], [4,5,6])", sdot, "32");
        }

        double ddot = native.Ddot(3, xd, 1, yd, 1);
        if (ddot != 32d)
        {
            return Failed("cblas_ddot([1,2,3], [4,5,6])", ddot, "32");
        }

        double dsdot = native.Dsdot(3, xs, 1, ys, 1);
        if (dsdot != 32d)
        {
            return Failed("cblas_dsdot([1,2,3], [4,5,6])", dsdot, "32");
        }

        // Row-major [[1,2],[3,4]]: a column-major reading would transpose it and give different answers.
        float* a = stackalloc float[] { 1, 2, 3, 4 };
        float* v = stackalloc float[] { 1, 2 };
        float* y = stackalloc float[] { 1, 1 };
        native.Sgemv(CblasOrder.RowMajor, CblasTranspose.NoTrans, 2, 2, 1f, a, 2, v, 1, 1f, y, 1);
        if (y[0] != 6f || y[1] != 12f)
        {
            return Failed("cblas_sgemv(RowMajor, [[1,2],[3,4]]·[1,2] + [1,1])", $"[{y[0]}, {y[1]}]", "[6, 12]");
        }

        double* ad = stackalloc double[] { 1, 2, 3, 4 };
        double* bd = stackalloc double[] { 5, 6, 7, 8 };
        double* cd = stackalloc double[] { -1, -1, -1, -1 };
        native.Dgemm(CblasOrder.RowMajor, CblasTranspose.NoTrans, CblasTranspose.NoTrans, 2, 2, 2, 1d, ad, 2, bd, 2, 0d, cd, 2);
        if (cd[0] != 19d || cd[1] != 22d || cd[2] != 43d || cd[3] != 50d)
        {
            return Failed("cblas_dgemm(RowMajor, [[1,2],[3,4]]·[[5,6],[7,8]])", $"[{cd[0]}, {cd[1]}, {cd[2]}, {cd[3]}]", "[19, 22, 43, 50]");
        }

        return null;
    }

    private static string Failed(string call, object actual, string expected) =>
        $"verification failed: {call} returned {actual}, expected {expected}";
}
