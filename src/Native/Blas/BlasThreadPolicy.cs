using System.Globalization;

namespace BnNative.Native.Blas;

/// <summary>
/// How many threads BnNative gives a BLAS library when it loads it, chosen so that the BLAS threads of every process on
/// a node together never exceed its cores. <see cref="CblasLibrary"/> applies it once, the first time it loads a library;
/// <see cref="CblasLibrary.TrySetThreads"/> overrides it afterwards. In order:
/// <list type="number">
/// <item><c>BNNATIVE_BLAS_THREADS</c> (a whole number ≥ 1) when set: that count (a value that is not a whole number ≥ 1
/// is ignored, and the source says so).</item>
/// <item>The vendor's own variable when the user set one (<c>OPENBLAS_NUM_THREADS</c>, <c>GOTO_NUM_THREADS</c> or
/// <c>OMP_NUM_THREADS</c> for OpenBLAS; <c>MKL_NUM_THREADS</c> or <c>OMP_NUM_THREADS</c> for MKL; <c>BLIS_NUM_THREADS</c>
/// or <c>OMP_NUM_THREADS</c> for BLIS): the library's own reading of it is left alone.</item>
/// <item>Otherwise max(1, cores / ranks on this node), the ranks from Open MPI's <c>OMPI_COMM_WORLD_LOCAL_SIZE</c>
/// (1 when unset, so a process outside <c>mpirun</c> gets every core).</item>
/// </list>
/// Reference BLAS has no thread control and is left as it is (single-threaded).
/// </summary>
/// <remarks>
/// BLAS threads cannot stack on top of BnNative's managed threads: the CBLAS moments backend calls BLAS only on tiles
/// of at most 2¹³ elements, below OpenBLAS's threading threshold, so those calls run on the calling thread (BLIS threads
/// only its level-3 operations, which the backend does not use). BLAS threads start only for a caller's own large
/// products (level 3, such as the demo's gemm), so the count here is what those get.
/// </remarks>
public static class BlasThreadPolicy
{
    /// <summary>The environment variable that sets the BLAS thread count for BnNative: a whole number ≥ 1.</summary>
    public const string EnvironmentVariable = "BNNATIVE_BLAS_THREADS";

    /// <summary>Open MPI's number of ranks of the job on this node.</summary>
    public const string LocalRanksVariable = BnNative.Kernels.ThreadBudget.LocalRanksVariable;

    /// <summary>The variables through which <paramref name="vendor"/> takes its thread count from the user, in the order it reads them.</summary>
    /// <returns>Empty for reference BLAS.</returns>
    public static IReadOnlyList<string> VendorVariables(BlasVendor vendor) => vendor switch
    {
        BlasVendor.OpenBlas => ["OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS"],
        BlasVendor.Mkl => ["MKL_NUM_THREADS", "OMP_NUM_THREADS"],
        BlasVendor.Blis => ["BLIS_NUM_THREADS", "OMP_NUM_THREADS"],
        _ => [],
    };

    /// <summary>
    /// The policy as a pure function of the environment and the core count (see the type's summary).
    /// </summary>
    /// <param name="vendor">The library's vendor.</param>
    /// <param name="environment">Reads an environment variable; null or empty means unset.</param>
    /// <param name="processorCount">The cores this process may use (<see cref="Environment.ProcessorCount"/>).</param>
    /// <returns>The count to set (null: leave the library's own) and where it came from, for example
    /// <c>set by BnNative: 8 cores / 2 ranks</c>, <c>BNNATIVE_BLAS_THREADS</c> or <c>OPENBLAS_NUM_THREADS</c>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="environment"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="processorCount"/> is below 1.</exception>
    public static BlasThreadChoice Decide(BlasVendor vendor, Func<string, string?> environment, int processorCount)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentOutOfRangeException.ThrowIfLessThan(processorCount, 1);
        if (vendor is not (BlasVendor.OpenBlas or BlasVendor.Mkl or BlasVendor.Blis))
        {
            return new BlasThreadChoice(null, "no thread control");
        }

        string? ignored = null;
        if (environment(EnvironmentVariable) is { Length: > 0 } requested)
        {
            if (PositiveInteger(requested) is { } threads)
            {
                return new BlasThreadChoice(threads, EnvironmentVariable);
            }

            ignored = $"; {EnvironmentVariable}='{requested}' ignored: not a whole number ≥ 1";
        }

        if (VendorVariables(vendor).FirstOrDefault(name => environment(name) is { Length: > 0 }) is { } vendorVariable)
        {
            return new BlasThreadChoice(null, vendorVariable + ignored);
        }

        // The same share of the cores BnNative's managed passes take by default (one rule for both).
        int ranks = BnNative.Kernels.ThreadBudget.LocalRanks(environment);
        int count = BnNative.Kernels.ThreadBudget.CoresPerProcess(environment, processorCount);
        return new BlasThreadChoice(
            count,
            string.Create(CultureInfo.InvariantCulture, $"set by BnNative: {processorCount} core{Plural(processorCount)} / {ranks} rank{Plural(ranks)}{ignored}"));
    }

    private static int? PositiveInteger(string? text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value >= 1 ? value : null;

    private static string Plural(int n) => n == 1 ? string.Empty : "s";
}
