using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using BnNative.Native.Blas;

namespace BnNative.MathNet;

/// <summary>
/// MathNet's column-major array operations on a <see cref="CblasLibrary"/> (row-major): one generic body per operation
/// for float and double, calling the library's typed overload. Arguments are validated by the caller
/// (<see cref="GemmShape.Check"/>, <see cref="CheckSameLength"/>) before anything reaches native code.
/// </summary>
internal static unsafe class ColumnMajorBlas
{
    /// <summary>
    /// C ← alpha·op(A)·op(B) + beta·C, column-major. A column-major array read row-major is the transpose, so this is the
    /// row-major Cᵀ ← alpha·op(B)ᵀ·op(A)ᵀ + beta·Cᵀ: operands swapped, transpose flags kept, and each leading dimension
    /// the stored row count. With k = 0 or alpha = 0 neither A nor B is read (C ← beta·C, and beta = 0 clears C without
    /// reading it), as in MathNet's managed provider. C may be A or B: the product then goes through a copy.
    /// </summary>
    public static void Gemm<T>(
        CblasLibrary blas, GemmShape shape, bool transA, bool transB, T alpha, T[] a, int rowsA, T[] b, int rowsB, T beta, T[] c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (shape.M == 0 || shape.N == 0)
        {
            return;
        }

        if (shape.K == 0 || alpha == T.Zero)
        {
            Scale(blas, beta, c, c);
            return;
        }

        bool aliased = ReferenceEquals(c, a) || ReferenceEquals(c, b);
        T[] target = aliased ? ArrayPool<T>.Shared.Rent(c.Length) : c;
        try
        {
            if (aliased && beta != T.Zero)
            {
                c.AsSpan().CopyTo(target);
            }

            fixed (T* pa = a, pb = b, pc = target)
            {
                if (typeof(T) == typeof(double))
                {
                    blas.Gemm(
                        transB, transA, shape.N, shape.M, shape.K, As<T, double>(alpha), (double*)pb, Math.Max(1, rowsB),
                        (double*)pa, Math.Max(1, rowsA), As<T, double>(beta), (double*)pc, shape.M);
                }
                else
                {
                    blas.Gemm(
                        transB, transA, shape.N, shape.M, shape.K, As<T, float>(alpha), (float*)pb, Math.Max(1, rowsB),
                        (float*)pa, Math.Max(1, rowsA), As<T, float>(beta), (float*)pc, shape.M);
                }
            }

            if (aliased)
            {
                target.AsSpan(0, c.Length).CopyTo(c);
            }
        }
        finally
        {
            if (aliased)
            {
                ArrayPool<T>.Shared.Return(target);
            }
        }
    }

    /// <summary>
    /// result ← y + alpha·x (<c>axpy</c> on a copy of y). alpha = 0 copies y, as the managed provider does (x is not read).
    /// result may be x or y; when it is x alone, x goes through a copy first.
    /// </summary>
    public static void AddScaled<T>(CblasLibrary blas, T[] y, T alpha, T[] x, T[] result)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (alpha == T.Zero || result.Length == 0)
        {
            y.AsSpan().CopyTo(result);
            return;
        }

        bool xAliased = ReferenceEquals(result, x) && !ReferenceEquals(x, y);
        T[] source = xAliased ? ArrayPool<T>.Shared.Rent(x.Length) : x;
        try
        {
            if (xAliased)
            {
                x.AsSpan().CopyTo(source);
            }

            y.AsSpan().CopyTo(result);
            fixed (T* px = source, pr = result)
            {
                if (typeof(T) == typeof(double))
                {
                    blas.Axpy(result.Length, As<T, double>(alpha), (double*)px, 1, (double*)pr, 1);
                }
                else
                {
                    blas.Axpy(result.Length, As<T, float>(alpha), (float*)px, 1, (float*)pr, 1);
                }
            }
        }
        finally
        {
            if (xAliased)
            {
                ArrayPool<T>.Shared.Return(source);
            }
        }
    }

    /// <summary>
    /// result ← alpha·x (<c>scal</c> on a copy of x). alpha = 0 clears result without reading x and alpha = 1 copies, as
    /// the managed provider does (so 0·NaN gives 0 there too, whatever the BLAS build does with it).
    /// </summary>
    public static void Scale<T>(CblasLibrary blas, T alpha, T[] x, T[] result)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (alpha == T.Zero)
        {
            Array.Clear(result);
            return;
        }

        x.AsSpan().CopyTo(result);
        if (alpha == T.One || result.Length == 0)
        {
            return;
        }

        fixed (T* pr = result)
        {
            if (typeof(T) == typeof(double))
            {
                blas.Scal(result.Length, As<T, double>(alpha), (double*)pr, 1);
            }
            else
            {
                blas.Scal(result.Length, As<T, float>(alpha), (float*)pr, 1);
            }
        }
    }

    /// <summary>Σ x[i]·y[i] (<c>dot</c>); 0 for empty arrays.</summary>
    public static T Dot<T>(CblasLibrary blas, T[] x, T[] y)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (x.Length == 0)
        {
            return T.Zero;
        }

        fixed (T* px = x, py = y)
        {
            if (typeof(T) == typeof(double))
            {
                double dot = blas.Dot(x.Length, (double*)px, 1, (double*)py, 1);
                return As<double, T>(dot);
            }
            else
            {
                float dot = blas.Dot(x.Length, (float*)px, 1, (float*)py, 1);
                return As<float, T>(dot);
            }
        }
    }

    /// <summary>Both arrays present and of one length; the exceptions name the caller's parameters.</summary>
    /// <exception cref="ArgumentNullException">An array is null.</exception>
    /// <exception cref="ArgumentException">The lengths differ (named: <paramref name="second"/>).</exception>
    public static void CheckSameLength<T>(
        T[] first,
        T[] second,
        [CallerArgumentExpression(nameof(first))] string firstName = "first",
        [CallerArgumentExpression(nameof(second))] string secondName = "second")
    {
        ArgumentNullException.ThrowIfNull(first, firstName);
        ArgumentNullException.ThrowIfNull(second, secondName);
        if (first.Length != second.Length)
        {
            throw new ArgumentException(
                $"{secondName} holds {second.Length} elements but {firstName} holds {first.Length}; the lengths must be equal.", secondName);
        }
    }

    private static TTo As<TFrom, TTo>(TFrom value)
        where TFrom : unmanaged
        where TTo : unmanaged =>
        Unsafe.As<TFrom, TTo>(ref value);
}
