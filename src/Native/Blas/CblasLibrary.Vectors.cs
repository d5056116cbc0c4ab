namespace BnNative.Native.Blas;

/// <content>
/// Level-1 wrappers. Counts and increments are 64-bit; counts above <see cref="int.MaxValue"/> are split into
/// consecutive native calls (never truncated). Increments may be negative with the BLAS meaning (see the class
/// remarks) but not zero, and |inc| must fit in 32 bits.
/// </content>
public sealed unsafe partial class CblasLibrary
{
    /// <summary>The most elements one native level-1 call takes: CBLAS counts are 32-bit <c>int</c>.</summary>
    internal const int MaxElementsPerCall = int.MaxValue;

    /// <summary>Σ x[i]·y[i] over <paramref name="n"/> float elements (<c>cblas_sdot</c>).</summary>
    /// <param name="n">Element count, ≥ 0; 0 gives 0.</param>
    /// <param name="x">First vector.</param>
    /// <param name="incX">Increment of <paramref name="x"/>, non-zero.</param>
    /// <param name="y">Second vector.</param>
    /// <param name="incY">Increment of <paramref name="y"/>, non-zero.</param>
    /// <returns>The dot product; when split into several calls, the partial results are summed in double and rounded once.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is negative, or an increment is 0 or beyond ±<see cref="int.MaxValue"/>.</exception>
    /// <exception cref="ArgumentNullException">A pointer is null while <paramref name="n"/> &gt; 0.</exception>
    public float Dot(long n, float* x, long incX, float* y, long incY) => Dot(n, x, incX, y, incY, MaxElementsPerCall);

    /// <summary>Σ x[i]·y[i] over <paramref name="n"/> double elements (<c>cblas_ddot</c>).</summary>
    /// <param name="n">Element count, ≥ 0; 0 gives 0.</param>
    /// <param name="x">First vector.</param>
    /// <param name="incX">Increment of <paramref name="x"/>, non-zero.</param>
    /// <param name="y">Second vector.</param>
    /// <param name="incY">Increment of <paramref name="y"/>, non-zero.</param>
    /// <returns>The dot product; when split into several calls, the sum of the partial results.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is negative, or an increment is 0 or beyond ±<see cref="int.MaxValue"/>.</exception>
    /// <exception cref="ArgumentNullException">A pointer is null while <paramref name="n"/> &gt; 0.</exception>
    public double Dot(long n, double* x, long incX, double* y, long incY) => Dot(n, x, incX, y, incY, MaxElementsPerCall);

    /// <summary>Σ x[i]·y[i] over float elements, accumulated in double (<c>cblas_dsdot</c>).</summary>
    /// <param name="n">Element count, ≥ 0; 0 gives 0.</param>
    /// <param name="x">First vector.</param>
    /// <param name="incX">Increment of <paramref name="x"/>, non-zero.</param>
    /// <param name="y">Second vector.</param>
    /// <param name="incY">Increment of <paramref name="y"/>, non-zero.</param>
    /// <returns>The dot product in double; when split into several calls, the sum of the partial results.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is negative, or an increment is 0 or beyond ±<see cref="int.MaxValue"/>.</exception>
    /// <exception cref="ArgumentNullException">A pointer is null while <paramref name="n"/> &gt; 0.</exception>
    public double DotDoubleAccumulate(long n, float* x, long incX, float* y, long incY) =>
        DotDoubleAccumulate(n, x, incX, y, incY, MaxElementsPerCall);

    /// <summary>y[i] ← alpha·x[i] + y[i] over <paramref name="n"/> float elements (<c>cblas_saxpy</c>).</summary>
    /// <param name="n">Element count, ≥ 0.</param>
    /// <param name="alpha">Scale of <paramref name="x"/>.</param>
    /// <param name="x">Input vector.</param>
    /// <param name="incX">Increment of <paramref name="x"/>, non-zero.</param>
    /// <param name="y">Vector updated in place.</param>
    /// <param name="incY">Increment of <paramref name="y"/>, non-zero.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is negative, or an increment is 0 or beyond ±<see cref="int.MaxValue"/>.</exception>
    /// <exception cref="ArgumentNullException">A pointer is null while <paramref name="n"/> &gt; 0.</exception>
    public void Axpy(long n, float alpha, float* x, long incX, float* y, long incY) => Axpy(n, alpha, x, incX, y, incY, MaxElementsPerCall);

    /// <summary>y[i] ← alpha·x[i] + y[i] over <paramref name="n"/> double elements (<c>cblas_daxpy</c>).</summary>
    /// <param name="n">Element count, ≥ 0.</param>
    /// <param name="alpha">Scale of <paramref name="x"/>.</param>
    /// <param name="x">Input vector.</param>
    /// <param name="incX">Increment of <paramref name="x"/>, non-zero.</param>
    /// <param name="y">Vector updated in place.</param>
    /// <param name="incY">Increment of <paramref name="y"/>, non-zero.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is negative, or an increment is 0 or beyond ±<see cref="int.MaxValue"/>.</exception>
    /// <exception cref="ArgumentNullException">A pointer is null while <paramref name="n"/> &gt; 0.</exception>
    public void Axpy(long n, double alpha, double* x, long incX, double* y, long incY) => Axpy(n, alpha, x, incX, y, incY, MaxElementsPerCall);

    /// <summary>x[i] ← alpha·x[i] over <paramref name="n"/> float elements (<c>cblas_sscal</c>).</summary>
    /// <remarks>
    /// A negative increment scales the same elements as its magnitude, so it is passed as positive: BLAS itself
    /// silently does nothing for a negative increment here.
    /// </remarks>
    /// <param name="n">Element count, ≥ 0.</param>
    /// <param name="alpha">The scale.</param>
    /// <param name="x">Vector scaled in place.</param>
    /// <param name="incX">Increment of <paramref name="x"/>, non-zero.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is negative, or <paramref name="incX"/> is 0 or beyond ±<see cref="int.MaxValue"/>.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="x"/> is null while <paramref name="n"/> &gt; 0.</exception>
    public void Scal(long n, float alpha, float* x, long incX) => Scal(n, alpha, x, incX, MaxElementsPerCall);

    /// <summary>x[i] ← alpha·x[i] over <paramref name="n"/> double elements (<c>cblas_dscal</c>).</summary>
    /// <remarks>
    /// A negative increment scales the same elements as its magnitude, so it is passed as positive: BLAS itself
    /// silently does nothing for a negative increment here.
    /// </remarks>
    /// <param name="n">Element count, ≥ 0.</param>
    /// <param name="alpha">The scale.</param>
    /// <param name="x">Vector scaled in place.</param>
    /// <param name="incX">Increment of <paramref name="x"/>, non-zero.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is negative, or <paramref name="incX"/> is 0 or beyond ±<see cref="int.MaxValue"/>.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="x"/> is null while <paramref name="n"/> &gt; 0.</exception>
    public void Scal(long n, double alpha, double* x, long incX) => Scal(n, alpha, x, incX, MaxElementsPerCall);

    /// <summary>y[i] ← x[i] over <paramref name="n"/> float elements (<c>cblas_scopy</c>).</summary>
    /// <param name="n">Element count, ≥ 0.</param>
    /// <param name="x">Source vector.</param>
    /// <param name="incX">Increment of <paramref name="x"/>, non-zero.</param>
    /// <param name="y">Destination vector.</param>
    /// <param name="incY">Increment of <paramref name="y"/>, non-zero.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is negative, or an increment is 0 or beyond ±<see cref="int.MaxValue"/>.</exception>
    /// <exception cref="ArgumentNullException">A pointer is null while <paramref name="n"/> &gt; 0.</exception>
    public void Copy(long n, float* x, long incX, float* y, long incY) => Copy(n, x, incX, y, incY, MaxElementsPerCall);

    /// <summary>y[i] ← x[i] over <paramref name="n"/> double elements (<c>cblas_dcopy</c>).</summary>
    /// <param name="n">Element count, ≥ 0.</param>
    /// <param name="x">Source vector.</param>
    /// <param name="incX">Increment of <paramref name="x"/>, non-zero.</param>
    /// <param name="y">Destination vector.</param>
    /// <param name="incY">Increment of <paramref name="y"/>, non-zero.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is negative, or an increment is 0 or beyond ±<see cref="int.MaxValue"/>.</exception>
    /// <exception cref="ArgumentNullException">A pointer is null while <paramref name="n"/> &gt; 0.</exception>
    public void Copy(long n, double* x, long incX, double* y, long incY) => Copy(n, x, incX, y, incY, MaxElementsPerCall);

    /// <summary><see cref="Dot(long, float*, long, float*, long)"/> with at most <paramref name="maxPerCall"/> elements per native call.</summary>
    internal float Dot(long n, float* x, long incX, float* y, long incY, int maxPerCall)
    {
        double sum = 0;
        for (var pieces = Pieces(n, x, incX, y, incY, maxPerCall); pieces.MoveNext(out int count, out long offsetX, out long offsetY);)
        {
            sum += _native.Sdot(count, x + offsetX, (int)incX, y + offsetY, (int)incY);
        }

        return (float)sum;
    }

    /// <summary><see cref="Dot(long, double*, long, double*, long)"/> with at most <paramref name="maxPerCall"/> elements per native call.</summary>
    internal double Dot(long n, double* x, long incX, double* y, long incY, int maxPerCall)
    {
        double sum = 0;
        for (var pieces = Pieces(n, x, incX, y, incY, maxPerCall); pieces.MoveNext(out int count, out long offsetX, out long offsetY);)
        {
            sum += _native.Ddot(count, x + offsetX, (int)incX, y + offsetY, (int)incY);
        }

        return sum;
    }

    /// <summary><see cref="DotDoubleAccumulate(long, float*, long, float*, long)"/> with at most <paramref name="maxPerCall"/> elements per native call.</summary>
    internal double DotDoubleAccumulate(long n, float* x, long incX, float* y, long incY, int maxPerCall)
    {
        double sum = 0;
        for (var pieces = Pieces(n, x, incX, y, incY, maxPerCall); pieces.MoveNext(out int count, out long offsetX, out long offsetY);)
        {
            sum += _native.Dsdot(count, x + offsetX, (int)incX, y + offsetY, (int)incY);
        }

        return sum;
    }

    /// <summary><see cref="Axpy(long, float, float*, long, float*, long)"/> with at most <paramref name="maxPerCall"/> elements per native call.</summary>
    internal void Axpy(long n, float alpha, float* x, long incX, float* y, long incY, int maxPerCall)
    {
        for (var pieces = Pieces(n, x, incX, y, incY, maxPerCall); pieces.MoveNext(out int count, out long offsetX, out long offsetY);)
        {
            _native.Saxpy(count, alpha, x + offsetX, (int)incX, y + offsetY, (int)incY);
        }
    }

    /// <summary><see cref="Axpy(long, double, double*, long, double*, long)"/> with at most <paramref name="maxPerCall"/> elements per native call.</summary>
    internal void Axpy(long n, double alpha, double* x, long incX, double* y, long incY, int maxPerCall)
    {
        for (var pieces = Pieces(n, x, incX, y, incY, maxPerCall); pieces.MoveNext(out int count, out long offsetX, out long offsetY);)
        {
            _native.Daxpy(count, alpha, x + offsetX, (int)incX, y + offsetY, (int)incY);
        }
    }

    /// <summary><see cref="Scal(long, float, float*, long)"/> with at most <paramref name="maxPerCall"/> elements per native call.</summary>
    internal void Scal(long n, float alpha, float* x, long incX, int maxPerCall)
    {
        for (var pieces = Pieces(n, x, incX, maxPerCall); pieces.MoveNext(out int count, out long offset, out _);)
        {
            _native.Sscal(count, alpha, x + offset, (int)Math.Abs(incX));
        }
    }

    /// <summary><see cref="Scal(long, double, double*, long)"/> with at most <paramref name="maxPerCall"/> elements per native call.</summary>
    internal void Scal(long n, double alpha, double* x, long incX, int maxPerCall)
    {
        for (var pieces = Pieces(n, x, incX, maxPerCall); pieces.MoveNext(out int count, out long offset, out _);)
        {
            _native.Dscal(count, alpha, x + offset, (int)Math.Abs(incX));
        }
    }

    /// <summary><see cref="Copy(long, float*, long, float*, long)"/> with at most <paramref name="maxPerCall"/> elements per native call.</summary>
    internal void Copy(long n, float* x, long incX, float* y, long incY, int maxPerCall)
    {
        for (var pieces = Pieces(n, x, incX, y, incY, maxPerCall); pieces.MoveNext(out int count, out long offsetX, out long offsetY);)
        {
            _native.Scopy(count, x + offsetX, (int)incX, y + offsetY, (int)incY);
        }
    }

    /// <summary><see cref="Copy(long, double*, long, double*, long)"/> with at most <paramref name="maxPerCall"/> elements per native call.</summary>
    internal void Copy(long n, double* x, long incX, double* y, long incY, int maxPerCall)
    {
        for (var pieces = Pieces(n, x, incX, y, incY, maxPerCall); pieces.MoveNext(out int count, out long offsetX, out long offsetY);)
        {
            _native.Dcopy(count, x + offsetX, (int)incX, y + offsetY, (int)incY);
        }
    }

    /// <summary>Validates a level-1 call over <paramref name="x"/> and <paramref name="y"/> and returns its pieces.</summary>
    private static VectorPieces Pieces(long n, void* x, long incX, void* y, long incY, int maxPerCall)
    {
        BlasArguments.Count(n);
        BlasArguments.Vector(n, x, incX);
        BlasArguments.Vector(n, y, incY);
        BlasArguments.PerCall(maxPerCall);
        return new VectorPieces(n, incX, incY, maxPerCall);
    }

    /// <summary>
    /// Validates a level-1 call over <paramref name="x"/> alone and returns its pieces, walked with |incX|: the
    /// element set does not depend on the direction.
    /// </summary>
    private static VectorPieces Pieces(long n, void* x, long incX, int maxPerCall)
    {
        BlasArguments.Count(n);
        BlasArguments.Vector(n, x, incX);
        BlasArguments.PerCall(maxPerCall);
        return new VectorPieces(n, Math.Abs(incX), Math.Abs(incX), maxPerCall);
    }
}
