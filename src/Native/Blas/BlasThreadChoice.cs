namespace BnNative.Native.Blas;

/// <summary>What <see cref="BlasThreadPolicy.Decide"/> chose for a library.</summary>
/// <param name="Threads">The thread count to set, or null to leave the library's own (set by the user through the vendor's
/// variable, or no thread control at all).</param>
/// <param name="Source">Where the count comes from, as <see cref="CblasLibrary.Describe"/> shows it in parentheses:
/// <c>set by BnNative: 2 cores / 1 rank</c>, <c>BNNATIVE_BLAS_THREADS</c>, <c>OPENBLAS_NUM_THREADS</c>, …</param>
public sealed record BlasThreadChoice(int? Threads, string Source);
