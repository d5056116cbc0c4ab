using System.Numerics;
using MathNet.Numerics.Providers.LinearAlgebra;

namespace BnNative.MathNet;

/// <summary>
/// The calls <see cref="CblasLinearAlgebraProvider.InitializeVerify"/> runs before a provider is installed, each compared
/// with MathNet's managed provider: a non-square multiply in all four transpose combinations with alpha and beta, an
/// axpy, a scale and a dot. Operands are small integers, so every product and partial sum is exact in float and double
/// and any difference is a real fault (wrong storage order, operand swap, calling convention), not rounding.
/// </summary>
internal static class ProviderVerification
{
    /// <summary>Runs the checks for <typeparamref name="T"/>; returns what failed, or null.</summary>
    public static string? Check<T>(ILinearAlgebraProvider<T> candidate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var managed = (ILinearAlgebraProvider<T>)(ILinearAlgebraProvider)ManagedLinearAlgebraProvider.Instance;
        const int M = 3, K = 2, N = 4;
        T[] a = Sequence<T>(M * K, 1);
        T[] b = Sequence<T>(K * N, -3);
        T two = T.CreateTruncating(2);
        T three = T.CreateTruncating(3);
        foreach (var transposeA in (Transpose[])[Transpose.DontTranspose, Transpose.Transpose])
        {
            foreach (var transposeB in (Transpose[])[Transpose.DontTranspose, Transpose.Transpose])
            {
                (int rowsA, int columnsA) = transposeA == Transpose.DontTranspose ? (M, K) : (K, M);
                (int rowsB, int columnsB) = transposeB == Transpose.DontTranspose ? (K, N) : (N, K);
                T[] expected = Sequence<T>(M * N, 5);
                T[] actual = Sequence<T>(M * N, 5);
                managed.MatrixMultiplyWithUpdate(transposeA, transposeB, two, a, rowsA, columnsA, b, rowsB, columnsB, three, expected);
                candidate.MatrixMultiplyWithUpdate(transposeA, transposeB, two, a, rowsA, columnsA, b, rowsB, columnsB, three, actual);
                if (!expected.AsSpan().SequenceEqual(actual))
                {
                    return Failed($"{typeof(T).Name} MatrixMultiplyWithUpdate({transposeA}, {transposeB})", actual, expected);
                }
            }
        }

        T[] axpyExpected = new T[M * K];
        T[] axpyActual = new T[M * K];
        managed.AddVectorToScaledVector(a, three, a.Reverse().ToArray(), axpyExpected);
        candidate.AddVectorToScaledVector(a, three, a.Reverse().ToArray(), axpyActual);
        if (!axpyExpected.AsSpan().SequenceEqual(axpyActual))
        {
            return Failed($"{typeof(T).Name} AddVectorToScaledVector", axpyActual, axpyExpected);
        }

        T[] scaleExpected = new T[K * N];
        T[] scaleActual = new T[K * N];
        managed.ScaleArray(-three, b, scaleExpected);
        candidate.ScaleArray(-three, b, scaleActual);
        if (!scaleExpected.AsSpan().SequenceEqual(scaleActual))
        {
            return Failed($"{typeof(T).Name} ScaleArray", scaleActual, scaleExpected);
        }

        T dotExpected = managed.DotProduct(a, a);
        T dotActual = candidate.DotProduct(a, a);
        return dotExpected == dotActual ? null : Failed($"{typeof(T).Name} DotProduct", [dotActual], [dotExpected]);
    }

    private static T[] Sequence<T>(int length, int start)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        [.. Enumerable.Range(start, length).Select(i => T.CreateTruncating(i))];

    private static string Failed<T>(string call, T[] actual, T[] expected) =>
        $"{call} returned [{string.Join(", ", actual)}], the managed provider [{string.Join(", ", expected)}]";
}
