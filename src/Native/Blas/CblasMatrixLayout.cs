using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using BnNative.Tensors;

namespace BnNative.Native.Blas;

/// <summary>
/// How a row-major CBLAS call sees a rank-2 <see cref="TensorView{T}"/> without copying it: as a row-major matrix
/// (<see cref="Transposed"/> false: element (i, j) at <c>offset + i·ld + j</c>) or as the transpose of one
/// (<see cref="Transposed"/> true: the view is column-major, element (i, j) at <c>offset + j·ld + i</c>), with
/// <see cref="LeadingDimension"/> ld. The offset is the view's own <see cref="TensorShape.Offset"/>.
/// </summary>
/// <param name="Transposed">
/// Whether the view is the transpose of the row-major matrix CBLAS is given (the CBLAS transpose flag to pass): its row
/// stride, not its column stride, is 1. A view made by <see cref="TensorView{T}.Permute"/>(1, 0) of a row-major matrix is.
/// </param>
/// <param name="LeadingDimension">
/// The distance in elements between the starts of consecutive stored rows (the view's rows when not transposed, its
/// columns when transposed): at least 1 and at least the stored row length, as CBLAS requires.
/// </param>
public readonly record struct CblasMatrixLayout(bool Transposed, int LeadingDimension)
{
    /// <summary>
    /// The layout of <paramref name="view"/>, a rank-2 view [rows, columns] with non-negative strides (s₀, s₁):
    /// <list type="bullet">
    /// <item>unit column stride (s₁ = 1) and rows that do not overlap (s₀ ≥ columns): not transposed, ld = s₀;</item>
    /// <item>otherwise unit row stride (s₀ = 1) and columns that do not overlap (s₁ ≥ rows): transposed, ld = s₁.</item>
    /// </list>
    /// The stride of an axis of length 1 is never used, so it may be anything: a single row with unit column stride is
    /// row-major with ld = columns (with another column stride s₁ ≥ 1 it is the transpose of a column, ld = s₁), a single
    /// column is row-major with ld = s₀ (s₀ ≥ 1), and a 1×1 view is row-major with ld = 1. When both readings fit, the row-major one is chosen. An empty view (a length
    /// of 0) addresses nothing: not transposed, with ld = max(1, rows, columns), which CBLAS accepts in either reading.
    /// </summary>
    /// <param name="view">The view.</param>
    /// <param name="paramName">The name reported in exceptions; by default the caller's expression for <paramref name="view"/>.</param>
    /// <returns>The layout.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="view"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// The view is not rank 2; it has no unit stride (for example every other column); or its rows or columns overlap (a
    /// broadcast stride of 0, or a stride below the row length). <see cref="ArgumentException.ParamName"/> is
    /// <paramref name="paramName"/>. Copy such a view with <see cref="TensorView{T}.ToContiguous"/> first.
    /// </exception>
    public static CblasMatrixLayout Of<T>(TensorView<T> view, [CallerArgumentExpression(nameof(view))] string? paramName = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(view, paramName);
        if (view.Rank != 2)
        {
            throw new ArgumentException($"{paramName} {view.Shape} has rank {view.Rank}; a matrix is a rank-2 view.", paramName);
        }

        int rows = view.Lengths[0];
        int columns = view.Lengths[1];
        long rowStride = view.Shape.Stride(0);
        long columnStride = view.Shape.Stride(1);
        if (rows == 0 || columns == 0)
        {
            return new CblasMatrixLayout(false, Math.Max(1, Math.Max(rows, columns)));
        }

        // Lines of a stored row-major matrix: the view's rows (columns stride 1), or its columns (rows stride 1).
        if ((columns == 1 || columnStride == 1) && (rows == 1 || rowStride >= columns))
        {
            return new CblasMatrixLayout(false, Leading(rows == 1 ? columns : rowStride));
        }

        if ((rows == 1 || rowStride == 1) && (columns == 1 || columnStride >= rows))
        {
            return new CblasMatrixLayout(true, Leading(columns == 1 ? rows : columnStride));
        }

        string problem = (columns == 1 || columnStride == 1) ? string.Create(CultureInfo.InvariantCulture, $"its rows overlap (row stride {rowStride} < {columns} columns)")
            : (rows == 1 || rowStride == 1) ? string.Create(CultureInfo.InvariantCulture, $"its columns overlap (column stride {columnStride} < {rows} rows)")
            : "it has no unit stride";
        throw new ArgumentException($"{paramName} {view.Shape}: {problem}, so CBLAS cannot read it in place; copy it with ToContiguous() first.", paramName);
    }

    /// <summary>
    /// Narrows a leading dimension to CBLAS's int. It always fits: a stride that is used spans elements of a
    /// <see cref="Memory{T}"/>, which holds at most <see cref="int.MaxValue"/> of them.
    /// </summary>
    private static int Leading(long leading) => checked((int)leading);
}
