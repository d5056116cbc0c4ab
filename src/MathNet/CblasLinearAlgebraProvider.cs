using System.Numerics;
using BnNative.Native.Blas;
using MathNet.Numerics.Providers.LinearAlgebra;

namespace BnNative.MathNet;

/// <summary>
/// A MathNet.Numerics linear-algebra provider backed by a BnNative <see cref="CblasLibrary"/> (OpenBLAS, BLIS, MKL or
/// reference BLAS): for float and double, matrix multiply (<c>gemm</c>, with transposes, alpha and beta), axpy, scale
/// and dot run in the native library; everything else (factorizations, solvers, point-wise operations, complex numbers)
/// is MathNet's own <see cref="ManagedLinearAlgebraProvider"/>. Install it process-wide with
/// <see cref="BnNativeLinearAlgebra.Use(string, MatrixMultiplyBackend)"/>, or call it as an instance.
/// </summary>
/// <remarks>
/// <para>
/// MathNet stores matrices column-major and the library is called row-major: a column-major array read row-major is the
/// transpose, so C = op(A)·op(B) runs as Cᵀ = op(B)ᵀ·op(A)ᵀ with the operands swapped. Every size is validated before the
/// native call, with exceptions that name the parameter (a BLAS given bad sizes reads out of bounds instead of throwing).
/// </para>
/// <para>
/// Results agree with the managed provider to rounding, not bit for bit: the library sums in its own order (blocked,
/// vectorized, with fused multiply-add), so a float32 product of inner dimension k differs by up to about k·2⁻²⁴ relative
/// to the magnitudes summed. With <see cref="MatrixMultiplyBackend.MathNetMkl"/> the two multiply methods call MathNet's
/// MKL provider instead (Windows x64 only; see <see cref="MathNetMklProvider"/>).
/// </para>
/// </remarks>
public sealed partial class CblasLinearAlgebraProvider : ILinearAlgebraProvider
{
    private static readonly ManagedLinearAlgebraProvider Managed = ManagedLinearAlgebraProvider.Instance;

    private readonly ILinearAlgebraProvider? _multiply;

    /// <summary>A provider over <paramref name="library"/> for every accelerated operation, matrix multiply included.</summary>
    /// <param name="library">A loaded library (<see cref="CblasLibrary.Load(string)"/>); already verified by its loader.</param>
    /// <exception cref="ArgumentNullException"><paramref name="library"/> is null.</exception>
    public CblasLinearAlgebraProvider(CblasLibrary library)
        : this(library, null)
    {
    }

    /// <summary>A provider whose float and double matrix multiply goes to <paramref name="multiply"/> (MathNet's MKL provider).</summary>
    internal CblasLinearAlgebraProvider(CblasLibrary library, ILinearAlgebraProvider? multiply)
    {
        ArgumentNullException.ThrowIfNull(library);
        Library = library;
        _multiply = multiply;
    }

    /// <summary>The native library that runs axpy, scale, dot and (unless <see cref="MultiplyBackend"/> says otherwise) the multiply.</summary>
    public CblasLibrary Library { get; }

    /// <summary>What runs <c>MatrixMultiply</c> and <c>MatrixMultiplyWithUpdate</c> for float and double.</summary>
    public MatrixMultiplyBackend MultiplyBackend => _multiply is null ? MatrixMultiplyBackend.Cblas : MatrixMultiplyBackend.MathNetMkl;

    /// <summary>Whether the provider can run: the library is loaded by construction, so true unless the MKL multiply provider says otherwise.</summary>
    /// <returns>True when every backend it uses is available.</returns>
    public bool IsAvailable() => _multiply?.IsAvailable() ?? true;

    /// <summary>
    /// Verifies the provider before it is installed, as MathNet's native providers do: small float and double multiplies
    /// (all four transpose combinations, alpha and beta), an axpy, a scale and a dot, compared with MathNet's managed
    /// provider. The operands are small integers, so every partial sum is exact and the results must be equal.
    /// </summary>
    /// <exception cref="NotSupportedException">A result differs; the message names the operation and both values.</exception>
    public void InitializeVerify()
    {
        _multiply?.InitializeVerify();
        string? failure = ProviderVerification.Check<double>(this) ?? ProviderVerification.Check<float>(this);
        if (failure is not null)
        {
            throw new NotSupportedException($"The BnNative CBLAS provider over {Library} failed verification: {failure}.");
        }
    }

    /// <summary>Releases nothing of its own (a <see cref="CblasLibrary"/> is never unloaded); frees the MKL multiply provider's resources.</summary>
    public void FreeResources() => _multiply?.FreeResources();

    /// <summary>Names the provider and what computes, as MathNet's <c>Control.Describe()</c> shows it.</summary>
    /// <returns>For example <c>BnNative CBLAS (OpenBLAS 0.3.21, kernel Haswell, 2 threads …)</c>.</returns>
    public override string ToString() =>
        _multiply is null ? $"BnNative CBLAS ({Library.Describe()})" : $"BnNative CBLAS ({Library.Describe()}), matrix multiply by {_multiply}";

    private void AddScaled<T>(T[] y, T alpha, T[] x, T[] result)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ColumnMajorBlas.CheckSameLength(y, x);
        ColumnMajorBlas.CheckSameLength(y, result);
        ColumnMajorBlas.AddScaled(Library, y, alpha, x, result);
    }

    private void Scale<T>(T alpha, T[] x, T[] result)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ColumnMajorBlas.CheckSameLength(x, result);
        ColumnMajorBlas.Scale(Library, alpha, x, result);
    }

    private T Dot<T>(T[] x, T[] y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ColumnMajorBlas.CheckSameLength(x, y);
        return ColumnMajorBlas.Dot(Library, x, y);
    }

    /// <summary>The multiply after <see cref="GemmShape.Check"/>: on the MKL provider when one is set, else on the library.</summary>
    private void Multiply<T>(
        GemmShape shape, Transpose transposeA, Transpose transposeB, T alpha, T[] a, int rowsA, int columnsA, T[] b, int rowsB, int columnsB, T beta, T[] c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (_multiply is ILinearAlgebraProvider<T> mkl)
        {
            mkl.MatrixMultiplyWithUpdate(transposeA, transposeB, alpha, a, rowsA, columnsA, b, rowsB, columnsB, beta, c);
            return;
        }

        ColumnMajorBlas.Gemm(
            Library, shape, transposeA != Transpose.DontTranspose, transposeB != Transpose.DontTranspose, alpha, a, rowsA, b, rowsB, beta, c);
    }
}
