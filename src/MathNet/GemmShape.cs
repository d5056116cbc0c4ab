using System.Runtime.CompilerServices;
using MathNet.Numerics.Providers.LinearAlgebra;

namespace BnNative.MathNet;

/// <summary>
/// The sizes of a column-major C ← alpha·op(A)·op(B) + beta·C as MathNet's provider interface states it: op(A) is
/// <see cref="M"/>×<see cref="K"/>, op(B) is <see cref="K"/>×<see cref="N"/>, C is <see cref="M"/>×<see cref="N"/>.
/// <see cref="Check"/> validates every argument before any native call (BLAS reads out of bounds instead of throwing).
/// </summary>
internal readonly record struct GemmShape(int M, int N, int K)
{
    /// <summary>
    /// Validates a MathNet multiply: arrays present, transposes defined, dimensions ≥ 0, inner dimensions equal and each
    /// array exactly as long as its dimensions say. The exceptions name the caller's parameters.
    /// </summary>
    /// <exception cref="ArgumentNullException">An array is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A transpose is not a defined value, a dimension is negative, or the
    /// columns of op(A) differ from the rows of op(B).</exception>
    /// <exception cref="ArgumentException">An array's length is not the product of its dimensions.</exception>
    public static GemmShape Check<T>(
        Transpose transposeA,
        Transpose transposeB,
        T[] a,
        int rowsA,
        int columnsA,
        T[] b,
        int rowsB,
        int columnsB,
        T[] c,
        [CallerArgumentExpression(nameof(a))] string aName = "a",
        [CallerArgumentExpression(nameof(rowsA))] string rowsAName = "rowsA",
        [CallerArgumentExpression(nameof(columnsA))] string columnsAName = "columnsA",
        [CallerArgumentExpression(nameof(b))] string bName = "b",
        [CallerArgumentExpression(nameof(rowsB))] string rowsBName = "rowsB",
        [CallerArgumentExpression(nameof(columnsB))] string columnsBName = "columnsB",
        [CallerArgumentExpression(nameof(c))] string cName = "c")
    {
        ArgumentNullException.ThrowIfNull(a, aName);
        ArgumentNullException.ThrowIfNull(b, bName);
        ArgumentNullException.ThrowIfNull(c, cName);
        CheckTranspose(transposeA, nameof(transposeA));
        CheckTranspose(transposeB, nameof(transposeB));
        ArgumentOutOfRangeException.ThrowIfNegative(rowsA, rowsAName);
        ArgumentOutOfRangeException.ThrowIfNegative(columnsA, columnsAName);
        ArgumentOutOfRangeException.ThrowIfNegative(rowsB, rowsBName);
        ArgumentOutOfRangeException.ThrowIfNegative(columnsB, columnsBName);
        CheckLength(a, rowsA, columnsA, aName);
        CheckLength(b, rowsB, columnsB, bName);

        bool transA = transposeA != Transpose.DontTranspose;
        bool transB = transposeB != Transpose.DontTranspose;
        (int m, int k) = transA ? (columnsA, rowsA) : (rowsA, columnsA);
        (int innerB, int n) = transB ? (columnsB, rowsB) : (rowsB, columnsB);
        if (innerB != k)
        {
            string innerName = transB ? columnsBName : rowsBName;
            throw new ArgumentOutOfRangeException(
                innerName,
                innerB,
                $"op({aName}) is {m}×{k} and op({bName}) is {innerB}×{n}: the rows of op({bName}) ({innerName} = {innerB}) must equal the columns of op({aName}) ({k}).");
        }

        CheckLength(c, m, n, cName);
        return new GemmShape(m, n, k);
    }

    private static void CheckTranspose(Transpose transpose, string name)
    {
        if (!Enum.IsDefined(transpose))
        {
            throw new ArgumentOutOfRangeException(name, transpose, "Expected DontTranspose, Transpose or ConjugateTranspose.");
        }
    }

    private static void CheckLength<T>(T[] array, int rows, int columns, string name)
    {
        long expected = (long)rows * columns;
        if (array.Length != expected)
        {
            throw new ArgumentException($"{name} holds {array.Length} elements but a {rows}×{columns} matrix needs {expected}.", name);
        }
    }
}
