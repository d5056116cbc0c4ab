using System.Numerics;
using BnNative.Tensors;

namespace BnNative.Tests.Blas;

/// <summary>How a test stores a logical [rows, columns] matrix before viewing it.</summary>
public enum MatrixStorage
{
    /// <summary>Dense row-major at offset 0.</summary>
    RowMajor,

    /// <summary>Its transpose stored dense row-major, viewed through Permute(1, 0) (column-major, unit row stride).</summary>
    Transposed,

    /// <summary>A sub-matrix of a wider row-major buffer: offset &gt; 0, leading dimension columns + 3.</summary>
    SubMatrix,

    /// <summary>A sub-matrix of a wider buffer holding the transpose, viewed through Permute(1, 0): offset &gt; 0, leading dimension rows + 3.</summary>
    TransposedSubMatrix,
}

/// <summary>
/// A logical matrix stored in one of the <see cref="MatrixStorage"/> layouts inside a buffer whose other elements (the
/// padding) hold a sentinel, so a test can tell whether anything outside the view was read or written.
/// </summary>
internal sealed class StoredMatrix<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private StoredMatrix(T[] buffer, TensorView<T> view, T padding)
    {
        Buffer = buffer;
        View = view;
        Padding = padding;
    }

    /// <summary>The whole buffer, padding included.</summary>
    public T[] Buffer { get; }

    /// <summary>The view of the logical matrix.</summary>
    public TensorView<T> View { get; }

    /// <summary>What every element outside the view holds.</summary>
    public T Padding { get; }

    /// <summary>Stores row-major <paramref name="values"/> [rows, columns] as <paramref name="storage"/>, padding with <paramref name="padding"/>.</summary>
    public static StoredMatrix<T> Create(double[] values, int rows, int columns, MatrixStorage storage, T padding)
    {
        bool transposed = storage is MatrixStorage.Transposed or MatrixStorage.TransposedSubMatrix;
        bool sub = storage is MatrixStorage.SubMatrix or MatrixStorage.TransposedSubMatrix;
        var (storedRows, storedColumns) = transposed ? (columns, rows) : (rows, columns);
        var (bufferRows, bufferColumns) = sub ? (storedRows + 2, storedColumns + 3) : (storedRows, storedColumns);
        var buffer = Enumerable.Repeat(padding, bufferRows * bufferColumns).ToArray();
        var stored = TensorView<T>.Create(buffer, bufferRows, bufferColumns);
        if (sub)
        {
            stored = stored.Slice(0, 1, storedRows).Slice(1, 2, storedColumns);
        }

        var view = transposed ? stored.Permute(1, 0) : stored;
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                view[i, j] = T.CreateTruncating(values[(i * columns) + j]);
            }
        }

        return new StoredMatrix<T>(buffer, view, padding);
    }

    /// <summary>The view's values, row-major, in double.</summary>
    public double[] Values()
    {
        var result = new double[View.ElementCount];
        for (int i = 0; i < View.Lengths[0]; i++)
        {
            for (int j = 0; j < View.Lengths[1]; j++)
            {
                result[(i * View.Lengths[1]) + j] = double.CreateTruncating(View[i, j]);
            }
        }

        return result;
    }

    /// <summary>Asserts every buffer element outside the view still holds the padding (bit for bit, NaN included).</summary>
    public void AssertPaddingUntouched(string context)
    {
        var inside = new HashSet<long>();
        for (int i = 0; i < View.Lengths[0]; i++)
        {
            for (int j = 0; j < View.Lengths[1]; j++)
            {
                inside.Add(View.Shape.IndexOf([i, j]));
            }
        }

        for (int index = 0; index < Buffer.Length; index++)
        {
            Assert.True(
                inside.Contains(index) || Buffer[index].Equals(Padding),
                $"{context}: buffer element {index} outside the view changed from {Padding} to {Buffer[index]}");
        }
    }
}
