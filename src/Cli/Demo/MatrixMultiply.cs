using System.Numerics;
using BnNative.Native.Blas;

namespace BnNative.Cli.Demo;

/// <summary>
/// Row-major C = op(A)·op(B) (+ C) for the demo's dense layers: cblas_sgemm / cblas_dgemm from the default CBLAS
/// library (BNNATIVE_BLAS or the first that loads), or plain loops accumulating in double when none loads.
/// </summary>
internal sealed unsafe class MatrixMultiply
{
    private readonly CblasLibrary? _blas;

    private MatrixMultiply(CblasLibrary? blas, string description)
    {
        _blas = blas;
        Description = description;
    }

    /// <summary>What computes the products, for the demo's header.</summary>
    public string Description { get; }

    /// <summary>The managed loops, whatever BLAS is installed (tests use it as a reference).</summary>
    public static MatrixMultiply Managed { get; } = new(null, "managed loops");

    /// <summary>The default CBLAS library with one thread (the demo's matrices are far below any threading gain), or the managed loops.</summary>
    public static MatrixMultiply Create()
    {
        if (!CblasLibrary.TryLoad(null, out var blas, out string failure))
        {
            return new MatrixMultiply(null, $"managed loops (no CBLAS library: {failure.Split('\n')[0]})");
        }

        blas.TrySetThreads(1);
        return new MatrixMultiply(blas, $"{blas.Vendor} cblas_?gemm ({blas.Path})");
    }

    /// <summary>
    /// C ← op(A)·op(B) + (accumulate ? C : 0), with op(A) m×k, op(B) k×n and C m×n, all row-major and dense; A is
    /// stored k×m when <paramref name="transA"/>, B is stored n×k when <paramref name="transB"/>.
    /// </summary>
    public void Multiply<T>(bool transA, bool transB, int m, int n, int k, T[] a, T[] b, T[] c, bool accumulate = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (a.Length < (long)m * k || b.Length < (long)k * n || c.Length < (long)m * n)
        {
            throw new ArgumentException($"Matrix buffers too small for ({m}×{k})·({k}×{n}).");
        }

        if (m == 0 || n == 0)
        {
            return;
        }

        if (_blas is not null)
        {
            int lda = transA ? m : k;
            int ldb = transB ? k : n;
            fixed (T* pa = a)
            fixed (T* pb = b)
            fixed (T* pc = c)
            {
                if (typeof(T) == typeof(float))
                {
                    _blas.Gemm(transA, transB, m, n, k, 1f, (float*)pa, Math.Max(1, lda), (float*)pb, Math.Max(1, ldb), accumulate ? 1f : 0f, (float*)pc, n);
                }
                else
                {
                    _blas.Gemm(transA, transB, m, n, k, 1d, (double*)pa, Math.Max(1, lda), (double*)pb, Math.Max(1, ldb), accumulate ? 1d : 0d, (double*)pc, n);
                }
            }

            return;
        }

        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = accumulate ? double.CreateTruncating(c[(i * n) + j]) : 0;
                for (int p = 0; p < k; p++)
                {
                    double left = double.CreateTruncating(transA ? a[(p * m) + i] : a[(i * k) + p]);
                    double right = double.CreateTruncating(transB ? b[(j * k) + p] : b[(p * n) + j]);
                    sum += left * right;
                }

                c[(i * n) + j] = T.CreateTruncating(sum);
            }
        }
    }
}
