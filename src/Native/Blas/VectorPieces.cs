namespace BnNative.Native.Blas;

/// <summary>
/// Splits the logical elements [0, n) of one or two strided vectors into consecutive pieces of at most
/// <c>maxPerCall</c> elements, because CBLAS counts are 32-bit. Each piece comes with the element offset of the
/// pointer to pass for it, following the BLAS rule for negative increments (the pointer addresses the lowest
/// element in memory, and logical element i sits at (n − 1 − i)·|inc|), so a split call sequence touches exactly
/// the elements, in the same pairing, that one call over all n elements would.
/// </summary>
internal struct VectorPieces
{
    private readonly long _n;
    private readonly long _incX;
    private readonly long _incY;
    private readonly int _maxPerCall;
    private long _start;

    /// <summary>Prepares the pieces; the arguments are already validated.</summary>
    public VectorPieces(long n, long incX, long incY, int maxPerCall)
    {
        _n = n;
        _incX = incX;
        _incY = incY;
        _maxPerCall = maxPerCall;
        _start = 0;
    }

    /// <summary>Advances to the next piece.</summary>
    /// <param name="count">Elements in the piece, at most maxPerCall.</param>
    /// <param name="offsetX">Offset, in elements, of the pointer to pass for the first vector.</param>
    /// <param name="offsetY">Offset, in elements, of the pointer to pass for the second vector.</param>
    /// <returns>False when every element has been covered.</returns>
    public bool MoveNext(out int count, out long offsetX, out long offsetY)
    {
        long length = Math.Min(_maxPerCall, _n - _start);
        if (length <= 0)
        {
            (count, offsetX, offsetY) = (0, 0, 0);
            return false;
        }

        count = (int)length;
        offsetX = PieceOffset(_incX, length);
        offsetY = PieceOffset(_incY, length);
        _start += length;
        return true;
    }

    private readonly long PieceOffset(long inc, long length) => inc > 0 ? _start * inc : (_n - _start - length) * -inc;
}
