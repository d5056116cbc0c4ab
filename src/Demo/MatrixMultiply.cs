using System.Numerics;
using System.Runtime.InteropServices;
using BnNative.Native.Blas;
using BnNative.Tensors;

namespace BnNative.Demo;

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
    /// C ← A·B + (accumulate ? C : 0) over rank-2 tensor views. A and B may be row-major or transposed views
    /// (<see cref="TensorView{T}.Permute"/>) of row-major matrices: whichever of their strides is 1 decides the CBLAS
    /// transpose flag, the other is the leading dimension. C must have unit column stride.
    /// </summary>
    /// <exception cref="ArgumentException">Not rank 2, mismatched lengths, or a view with no unit stride.</exception>
    public void Multiply<T>(TensorView<T> a, TensorView<T> b, TensorView<T> c, bool accumulate = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (a.Rank != 2 || b.Rank != 2 || c.Rank != 2)
        {
            throw new ArgumentException("Matrix products need rank-2 views.");
        }

        int m = a.Lengths[0];
        int k = a.Lengths[1];
        int n = b.Lengths[1];
        if (b.Lengths[0] != k || c.Lengths[0] != m || c.Lengths[1] != n)
        {
            throw new ArgumentException($"Cannot multiply [{m}, {k}] by [{b.Lengths[0]}, {n}] into [{c.Lengths[0]}, {c.Lengths[1]}].");
        }

        if (m == 0 || n == 0)
        {
            return;
        }

        var (transA, lda) = Layout(a, "a");
        var (transB, ldb) = Layout(b, "b");
        var (transC, ldc) = Layout(c, "c");
        if (transC && m > 1)
        {
            throw new ArgumentException("c must be row-major (unit column stride).", nameof(c));
        }

        if (_blas is not null)
        {
            fixed (T* pa = &MemoryMarshal.GetReference(a.Memory.Span))
            fixed (T* pb = &MemoryMarshal.GetReference(b.Memory.Span))
            fixed (T* pc = &MemoryMarshal.GetReference(c.Memory.Span))
            {
                T* sa = pa + a.Shape.Offset;
                T* sb = pb + b.Shape.Offset;
                T* sc = pc + c.Shape.Offset;
                if (typeof(T) == typeof(float))
                {
                    _blas.Gemm(transA, transB, m, n, k, 1f, (float*)sa, lda, (float*)sb, ldb, accumulate ? 1f : 0f, (float*)sc, ldc);
                }
                else
                {
                    _blas.Gemm(transA, transB, m, n, k, 1d, (double*)sa, lda, (double*)sb, ldb, accumulate ? 1d : 0d, (double*)sc, ldc);
                }
            }

            return;
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

    /// <summary>How CBLAS sees a rank-2 view: transposed or not, and the leading dimension (at least 1).</summary>
    private static (bool Transposed, int Leading) Layout<T>(TensorView<T> view, string name)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        long rowStride = view.Shape.Stride(0);
        long columnStride = view.Shape.Stride(1);
        if (columnStride == 1 || view.Lengths[1] == 1)
        {
            return (false, checked((int)Math.Max(Math.Max(rowStride, view.Lengths[1]), 1)));
        }

        if (rowStride == 1 || view.Lengths[0] == 1)
        {
            return (true, checked((int)Math.Max(Math.Max(columnStride, view.Lengths[0]), 1)));
        }

        throw new ArgumentException($"{name} {view.Shape} has no unit stride; copy it with ToContiguous() first.", name);
    }
}
