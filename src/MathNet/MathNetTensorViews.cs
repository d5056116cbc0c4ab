using BnNative.Tensors;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Storage;

namespace BnNative.MathNet;

/// <summary>
/// BnNative tensor views over MathNet.Numerics matrices and vectors. <see cref="AsTensorView{T}(Matrix{T})"/> and
/// <see cref="AsTensorView{T}(Vector{T})"/> never copy: they accept dense storage only and throw for any other. The
/// <c>CopyToTensorView</c> methods copy, from any storage, and say so in their name.
/// </summary>
/// <remarks>
/// MathNet's dense matrices are column-major: element (i, j) of a rows×columns matrix is at <c>Values[j·rows + i]</c>.
/// The rank-2 view over that same array has lengths [rows, columns] and strides [1, rows], so the rows are the batch
/// (axis 0) and the columns the channels (axis 1), the channel axis BnNative resolves for rank 2 by default.
/// </remarks>
public static class MathNetTensorViews
{
    /// <summary>
    /// A rank-2 view of a dense matrix's own storage, without copying: lengths [RowCount, ColumnCount], strides
    /// [1, RowCount], offset 0 (element (i, j) of the view is <c>matrix[i, j]</c>). Writes through the view change the
    /// matrix and the other way round.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="matrix">A matrix with dense storage (<see cref="DenseColumnMajorMatrixStorage{T}"/>, as
    /// <c>Matrix&lt;T&gt;.Build.Dense…</c> and <c>DenseMatrix</c> create).</param>
    /// <returns>The view; it holds the matrix's array, so it stays valid as long as the caller keeps it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="matrix"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="matrix"/> has sparse, diagonal or other non-dense storage:
    /// no view over it can exist without a copy (call <see cref="CopyToTensorView{T}(Matrix{T})"/> to copy explicitly).</exception>
    public static TensorView<T> AsTensorView<T>(this Matrix<T> matrix)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T> => DenseView(matrix, nameof(matrix));

    /// <summary>
    /// A rank-1 view of a dense vector's own storage, without copying: length [Count], stride [1]. Writes through the
    /// view change the vector.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="vector">A vector with dense storage (<see cref="DenseVectorStorage{T}"/>).</param>
    /// <returns>The view over the vector's array.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="vector"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="vector"/> has sparse or other non-dense storage (call
    /// <see cref="CopyToTensorView{T}(Vector{T})"/> to copy explicitly).</exception>
    public static TensorView<T> AsTensorView<T>(this Vector<T> vector)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(vector);
        if (vector.Storage is not DenseVectorStorage<T> dense)
        {
            throw new ArgumentException(
                $"A zero-copy view needs dense storage, but the vector of {vector.Count} elements has {StorageName(vector.Storage)}. "
                + "Call CopyToTensorView() to copy it into a dense view, or build the vector with Vector<T>.Build.Dense….",
                nameof(vector));
        }

        return new TensorView<T>(dense.Data, TensorShape.RowMajor(dense.Length));
    }

    /// <summary>
    /// A copy of any matrix (dense, sparse, diagonal, …) in a new array, viewed as <see cref="AsTensorView{T}(Matrix{T})"/>
    /// views a dense one: lengths [RowCount, ColumnCount], strides [1, RowCount]. Later changes to either side do not show
    /// in the other.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="matrix">The matrix to copy.</param>
    /// <returns>A view over the new column-major array of RowCount·ColumnCount elements.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="matrix"/> is null.</exception>
    public static TensorView<T> CopyToTensorView<T>(this Matrix<T> matrix)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(matrix);
        return ColumnMajorView(matrix.ToColumnMajorArray(), matrix.RowCount, matrix.ColumnCount);
    }

    /// <summary>A copy of any vector (dense or sparse) in a new array, as a rank-1 view of length [Count].</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="vector">The vector to copy.</param>
    /// <returns>A view over the new array.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="vector"/> is null.</exception>
    public static TensorView<T> CopyToTensorView<T>(this Vector<T> vector)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(vector);
        return TensorView<T>.Create(vector.ToArray(), vector.Count);
    }

    /// <summary>The zero-copy view of a dense matrix; <paramref name="parameterName"/> names it in the exceptions.</summary>
    internal static TensorView<T> DenseView<T>(Matrix<T> matrix, string parameterName)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(matrix, parameterName);
        if (matrix.Storage is not DenseColumnMajorMatrixStorage<T> dense)
        {
            throw new ArgumentException(
                $"A zero-copy view needs dense storage, but the {matrix.RowCount}×{matrix.ColumnCount} matrix {parameterName} has "
                + $"{StorageName(matrix.Storage)}. Call CopyToTensorView() to copy it into a dense view, or build the matrix "
                + "with Matrix<T>.Build.Dense….",
                parameterName);
        }

        return ColumnMajorView(dense.Data, dense.RowCount, dense.ColumnCount);
    }

    /// <summary>The view of a column-major rows×columns array: strides [1, rows].</summary>
    internal static TensorView<T> ColumnMajorView<T>(T[] data, int rows, int columns)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T> =>
        new(data, new TensorShape([rows, columns], [1, rows]));

    private static string StorageName(object storage)
    {
        string name = storage.GetType().Name;
        int tick = name.IndexOf('`', StringComparison.Ordinal);
        return tick < 0 ? name : name[..tick];
    }
}
