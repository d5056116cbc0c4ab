using System.Numerics;
using BnNative.Native.Blas;
using BnNative.Tensors;

namespace BnNative.Demo;

/// <summary>
/// C = A·B (+ C) over tensor views for the demo's dense layers: <see cref="CblasLibrary"/>'s gemm over views
/// (cblas_sgemm / cblas_dgemm) from the default CBLAS library (BNNATIVE_BLAS or the first that loads), or plain loops
/// accumulating in double when none loads.
/// </summary>
internal sealed class MatrixMultiply
{
    private readonly CblasLibrary? _blas;

    private MatrixMultiply(CblasLibrary? blas, string description)
    {
        _blas = blas;
        Description = description;
    }

    /// <summary>What computes the products, for the demo's header: the BLAS library, its version, the kernel set it selected and its path.</summary>
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
        return new MatrixMultiply(blas, $"cblas_?gemm from {blas.Describe()}");
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

        var left = transA ? TensorView<T>.Create(a, k, m).Permute(1, 0) : TensorView<T>.Create(a, m, k);
        var right = transB ? TensorView<T>.Create(b, n, k).Permute(1, 0) : TensorView<T>.Create(b, k, n);
        Multiply(left, right, TensorView<T>.Create(c, m, n), accumulate);
    }

    /// <summary>
    /// C ← A·B + (accumulate ? C : 0) over rank-2 tensor views: <see cref="CblasLibrary.Gemm(float, TensorView{float}, TensorView{float}, float, TensorView{float})"/>
    /// when a library loaded, so transposed views (<see cref="TensorView{T}.Permute"/>) and sub-matrices go to CBLAS in
    /// place. The managed loops accept the same views (<see cref="CblasMatrixLayout.Of"/>: a unit stride on one axis) and
    /// reject the same lengths, so the demo behaves alike with and without BLAS.
    /// </summary>
    /// <exception cref="ArgumentException">Not rank 2, mismatched lengths, or a view with no unit stride (and with BLAS, c sharing elements with a or b).</exception>
    public void Multiply<T>(TensorView<T> a, TensorView<T> b, TensorView<T> c, bool accumulate = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (_blas is not null)
        {
            if (typeof(T) == typeof(float))
            {
                _blas.Gemm(1f, (TensorView<float>)(object)a, (TensorView<float>)(object)b, accumulate ? 1f : 0f, (TensorView<float>)(object)c);
            }
            else
            {
                _blas.Gemm(1d, (TensorView<double>)(object)a, (TensorView<double>)(object)b, accumulate ? 1d : 0d, (TensorView<double>)(object)c);
            }

            return;
        }

        _ = CblasMatrixLayout.Of(a);
        _ = CblasMatrixLayout.Of(b);
        _ = CblasMatrixLayout.Of(c);
        int m = a.Lengths[0];
        int k = a.Lengths[1];
        int n = b.Lengths[1];
        if (b.Lengths[0] != k || c.Lengths[0] != m || c.Lengths[1] != n)
        {
            throw new ArgumentException($"Cannot multiply [{m}, {k}] by [{b.Lengths[0]}, {n}] into [{c.Lengths[0]}, {c.Lengths[1]}].");
        }

        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = accumulate ? double.CreateTruncating(c[i, j]) : 0;
                for (int p = 0; p < k; p++)
                {
                    sum += double.CreateTruncating(a[i, p]) * double.CreateTruncating(b[p, j]);
                }

                c[i, j] = T.CreateTruncating(sum);
            }
        }
    }
}
