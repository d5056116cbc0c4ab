namespace BnNative.MathNet;

/// <summary>What runs the float and double matrix multiply of a <see cref="CblasLinearAlgebraProvider"/>.</summary>
public enum MatrixMultiplyBackend
{
    /// <summary>The provider's <see cref="Native.Blas.CblasLibrary"/> (<c>cblas_sgemm</c>, <c>cblas_dgemm</c>). The default.</summary>
    Cblas = 0,

    /// <summary>
    /// MathNet's own MKL provider (packages MathNet.Numerics.Providers.MKL and MathNet.Numerics.MKL.Win-x64): Windows x64
    /// only, and only when the application references those packages (BnNative.MathNet does not depend on them; this
    /// repository's build of src/MathNet for the win-x64 runtime identifier does reference them). Elsewhere asking
    /// for it fails with the reason (<see cref="MathNetMklProvider.TryCreate"/>).
    /// </summary>
    MathNetMkl = 1,
}
