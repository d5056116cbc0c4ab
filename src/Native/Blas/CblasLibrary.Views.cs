using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using BnNative.Tensors;

namespace BnNative.Native.Blas;

/// <content>
/// Matrix products over rank-2 <see cref="TensorView{T}"/>s: the transpose flags and leading dimensions come from the
/// views' strides (<see cref="CblasMatrixLayout"/>), so transposed views (<see cref="TensorView{T}.Permute"/>) and
/// sub-matrices (<see cref="TensorView{T}.Slice"/>) go to BLAS in place, without copies.
/// </content>
public sealed unsafe partial class CblasLibrary
{
    /// <summary>
    /// C ← alpha·A·B + beta·C over rank-2 float views (<c>cblas_sgemm</c>), with A [m, k], B [k, n] and C [m, n] the
    /// matrices the views show: a view of Aᵀ made with <see cref="TensorView{T}.Permute"/>(1, 0) multiplies by the
    /// transpose, and a <see cref="TensorView{T}.Slice"/> of a wider matrix multiplies the sub-matrix, at any offset.
    /// </summary>
    /// <remarks>
    /// <para>
    /// A, B and C each need a unit stride on one axis (<see cref="CblasMatrixLayout.Of"/> gives the transpose flag and the
    /// leading dimension). C may be row-major or column-major: a column-major C is computed in one call as
    /// Cᵀ = Bᵀ·Aᵀ, the same product summed by the library in its own order.
    /// </para>
    /// <para>
    /// With beta = 0, C is not read (NaN or ∞ in it does not propagate). When k = 0, C ← beta·C. When m or n is 0
    /// nothing is computed. BLAS reads and writes only the views' elements: a <see cref="TensorView{T}"/> never addresses
    /// beyond its memory, and the leading dimensions are the views' own strides, so padding between the rows of a
    /// sub-matrix is left alone. Every argument is checked before native code runs, because BLAS crashes or prints
    /// instead of throwing.
    /// </para>
    /// </remarks>
    /// <param name="alpha">Scale of the product.</param>
    /// <param name="a">The left factor, [m, k].</param>
    /// <param name="b">The right factor, [k, n].</param>
    /// <param name="beta">Scale of the previous C.</param>
    /// <param name="c">The output, [m, n]; it must not share an element with <paramref name="a"/> or <paramref name="b"/>.</param>
    /// <exception cref="ArgumentNullException">A view is null.</exception>
    /// <exception cref="ArgumentException">
    /// A view is not rank 2, has no unit stride or has overlapping rows or columns (<see cref="CblasMatrixLayout.Of"/>);
    /// <paramref name="b"/> has not k rows; <paramref name="c"/> is not [m, n]; or <paramref name="c"/> shares elements
    /// with <paramref name="a"/> or <paramref name="b"/>. The parameter named is the view at fault.
    /// </exception>
    public void Gemm(float alpha, TensorView<float> a, TensorView<float> b, float beta, TensorView<float> c) => GemmViews(alpha, a, b, beta, c);

    /// <summary>
    /// C ← alpha·A·B + beta·C over rank-2 double views (<c>cblas_dgemm</c>), with A [m, k], B [k, n] and C [m, n] the
    /// matrices the views show; as <see cref="Gemm(float, TensorView{float}, TensorView{float}, float, TensorView{float})"/>.
    /// </summary>
    /// <inheritdoc cref="Gemm(float, TensorView{float}, TensorView{float}, float, TensorView{float})"/>
    public void Gemm(double alpha, TensorView<double> a, TensorView<double> b, double beta, TensorView<double> c) => GemmViews(alpha, a, b, beta, c);

    /// <summary>Validates the views, pins them and makes the one row-major call <see cref="Prepare"/> maps them to.</summary>
    private void GemmViews<T>(T alpha, TensorView<T> a, TensorView<T> b, T beta, TensorView<T> c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (Prepare(a, b, c) is not { } call)
        {
            return;
        }

        fixed (T* pa = &MemoryMarshal.GetReference(a.Memory.Span))
        fixed (T* pb = &MemoryMarshal.GetReference(b.Memory.Span))
        fixed (T* pc = &MemoryMarshal.GetReference(c.Memory.Span))
        {
            T* x = call.SwapFactors ? pb + b.Shape.Offset : pa + a.Shape.Offset;
            T* y = call.SwapFactors ? pa + a.Shape.Offset : pb + b.Shape.Offset;
            T* z = pc + c.Shape.Offset;
            if (typeof(T) == typeof(float))
            {
                Gemm(call.TransX, call.TransY, call.M, call.N, call.K, float.CreateTruncating(alpha), (float*)x, call.Ldx, (float*)y, call.Ldy, float.CreateTruncating(beta), (float*)z, call.Ldc);
            }
            else
            {
                Gemm(call.TransX, call.TransY, call.M, call.N, call.K, double.CreateTruncating(alpha), (double*)x, call.Ldx, (double*)y, call.Ldy, double.CreateTruncating(beta), (double*)z, call.Ldc);
            }
        }
    }

    /// <summary>
    /// Validates a product over views (names match the public parameters) and maps it to one row-major gemm call
    /// X·Y into C: X = A, Y = B for a row-major C; X = Bᵀ, Y = Aᵀ into Cᵀ for a column-major C.
    /// </summary>
    /// <returns>The call, or null when C is empty and there is nothing to compute.</returns>
    private static ViewGemm? Prepare<T>(TensorView<T> a, TensorView<T> b, TensorView<T> c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var layoutA = CblasMatrixLayout.Of(a);
        var layoutB = CblasMatrixLayout.Of(b);
        var layoutC = CblasMatrixLayout.Of(c);
        int m = a.Lengths[0];
        int k = a.Lengths[1];
        int n = b.Lengths[1];
        if (b.Lengths[0] != k)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"b has {b.Lengths[0]} rows but a [{m}, {k}] has {k} columns: cannot multiply them."), nameof(b));
        }

        if (c.Lengths[0] != m || c.Lengths[1] != n)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"c is [{c.Lengths[0]}, {c.Lengths[1]}] but a [{m}, {k}] times b [{k}, {n}] is [{m}, {n}]."), nameof(c));
        }

        foreach (var (input, layout, name) in new[] { (a, layoutA, nameof(a)), (b, layoutB, nameof(b)) })
        {
            if (MatrixFootprint.Share(c, layoutC, input, layout))
            {
                throw new ArgumentException($"c shares elements with {name}: BLAS would overwrite {name} while reading it; write into separate memory.", nameof(c));
            }
        }

        if (m == 0 || n == 0)
        {
            return null;
        }

        return layoutC.Transposed
            ? new ViewGemm(!layoutB.Transposed, !layoutA.Transposed, n, m, k, layoutB.LeadingDimension, layoutA.LeadingDimension, layoutC.LeadingDimension, SwapFactors: true)
            : new ViewGemm(layoutA.Transposed, layoutB.Transposed, m, n, k, layoutA.LeadingDimension, layoutB.LeadingDimension, layoutC.LeadingDimension, SwapFactors: false);
    }

    /// <summary>One row-major gemm call: C ← alpha·op(X)·op(Y) + beta·C with X = A, Y = B, or (swapped) X = B, Y = A.</summary>
    private readonly record struct ViewGemm(bool TransX, bool TransY, int M, int N, int K, int Ldx, int Ldy, int Ldc, bool SwapFactors);
}
