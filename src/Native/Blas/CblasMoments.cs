using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using BnNative.Moments;
using BnNative.Tensors;

namespace BnNative.Native.Blas;

/// <summary>
/// Batch moments through a CBLAS library. Data is copied in tiles, shifted by the per-channel shift, into a
/// cache-resident scratch matrix with one row per channel piece (zero-padded): sums come from one gemv of the
/// tile against a ones vector, sums of squares from a dot per row. Where the channel axis is innermost the tile
/// is a blocked transpose of up to <see cref="ShiftedSumsBackend.FoldLength"/> rows. Partial sums in the element
/// type never cover more than <see cref="ShiftedSumsBackend.FoldLength"/> elements before they are folded into
/// double, as in the managed backend.
/// </summary>
/// <remarks>
/// Every BLAS call works on a tile of at most 2¹⁷ elements, so no size comes near int.MaxValue and the result of
/// each call does not depend on the library's own threading (gemv computes each row sum in one thread).
/// Parallelism and determinism come from <see cref="ShiftedSumsBackend"/>'s fixed chunks.
/// </remarks>
public sealed unsafe class CblasMoments : ShiftedSumsBackend
{
    private const int RunTileElements = 1 << 14;
    private const int RowTileChannels = 512;

    /// <summary>Creates the backend over <paramref name="library"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="library"/> is null.</exception>
    public CblasMoments(CblasLibrary library)
    {
        ArgumentNullException.ThrowIfNull(library);
        Library = library;
    }

    /// <summary>The CBLAS library the backend calls.</summary>
    public CblasLibrary Library { get; }

    /// <inheritdoc />
    public override string Name => "cblas:" + Library.Vendor.ConfigName();

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void AccumulateRuns<T>(
        ChannelBlocks<T> blocks, long firstPair, long endPair, ReadOnlySpan<T> shifts, Span<double> sum, Span<double> sumOfSquares)
    {
        int channels = blocks.Channels;
        int rowLength = Math.Min(blocks.Inner, FoldLength);
        int tileRows = Math.Max(1, RunTileElements / rowLength);
        var tile = ArrayPool<T>.Shared.Rent(tileRows * rowLength);
        var rowSlots = ArrayPool<int>.Shared.Rent(tileRows);
        var rowSums = ArrayPool<T>.Shared.Rent(tileRows);
        var ones = ArrayPool<T>.Shared.Rent(rowLength);
        try
        {
            ones.AsSpan(0, rowLength).Fill(T.One);
            var data = blocks.Memory.Span;
            int c = (int)(firstPair % channels);
            var cursor = blocks.CursorAt(firstPair / channels);
            int slot = 0;
            int rows = 0;
            for (long p = firstPair; p < endPair; p++)
            {
                long start = cursor.Offset + (c * blocks.ChannelStride);
                for (int piece = 0; piece < blocks.Inner; piece += rowLength)
                {
                    int length = Math.Min(rowLength, blocks.Inner - piece);
                    var row = tile.AsSpan(rows * rowLength, rowLength);
                    Subtract(data.Slice((int)(start + piece), length), shifts[c], row[..length]);
                    row[length..].Clear();
                    rowSlots[rows++] = slot;
                    if (rows == tileRows)
                    {
                        ReduceTile(tile, rows, rowLength, ones, rowSums, rowSlots, sum, sumOfSquares);
                        rows = 0;
                    }
                }

                if (++slot == channels)
                {
                    slot = 0;
                }

                if (++c == channels)
                {
                    c = 0;
                    cursor.MoveNext();
                }
            }

            ReduceTile(tile, rows, rowLength, ones, rowSums, rowSlots, sum, sumOfSquares);
        }
        finally
        {
            ArrayPool<T>.Shared.Return(tile);
            ArrayPool<int>.Shared.Return(rowSlots);
            ArrayPool<T>.Shared.Return(rowSums);
            ArrayPool<T>.Shared.Return(ones);
        }
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void AccumulateRows<T>(
        ChannelBlocks<T> blocks, long firstRow, long endRow, ReadOnlySpan<T> shifts, Span<double> sum, Span<double> sumOfSquares)
    {
        int channels = blocks.Channels;
        int group = Math.Min(channels, RowTileChannels);
        var tile = ArrayPool<T>.Shared.Rent(group * FoldLength);
        var rowSums = ArrayPool<T>.Shared.Rent(group);
        var ones = ArrayPool<T>.Shared.Rent(FoldLength);
        var slots = ArrayPool<int>.Shared.Rent(group);
        try
        {
            ones.AsSpan(0, FoldLength).Fill(T.One);
            var data = blocks.Memory.Span;
            for (long row = firstRow; row < endRow; row += FoldLength)
            {
                int count = (int)Math.Min(FoldLength, endRow - row);
                for (int c0 = 0; c0 < channels; c0 += group)
                {
                    int width = Math.Min(group, channels - c0);
                    tile.AsSpan(0, width * FoldLength).Clear();
                    var cursor = blocks.CursorAt(row);
                    for (int r = 0; r < count; r++)
                    {
                        var x = data.Slice((int)cursor.Offset + c0, width);
                        for (int c = 0; c < width; c++)
                        {
                            tile[(c * FoldLength) + r] = x[c] - shifts[c0 + c];
                        }

                        cursor.MoveNext();
                    }

                    for (int c = 0; c < width; c++)
                    {
                        slots[c] = c0 + c;
                    }

                    ReduceTile(tile, width, FoldLength, ones, rowSums, slots, sum, sumOfSquares);
                }
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(tile);
            ArrayPool<T>.Shared.Return(rowSums);
            ArrayPool<T>.Shared.Return(ones);
            ArrayPool<int>.Shared.Return(slots);
        }
    }

    private static void Subtract<T>(ReadOnlySpan<T> source, T shift, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var k = new Vector<T>(shift);
            for (; i <= source.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                (new Vector<T>(source[i..]) - k).CopyTo(destination[i..]);
            }
        }

        for (; i < source.Length; i++)
        {
            destination[i] = source[i] - shift;
        }
    }

    /// <summary>Row sums (gemv against ones) and row sums of squares (dot) of a rows × rowLength tile, added to the rows' slots.</summary>
    private void ReduceTile<T>(
        T[] tile, int rows, int rowLength, T[] ones, T[] rowSums, int[] rowSlots, Span<double> sum, Span<double> sumOfSquares)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (rows == 0)
        {
            return;
        }

        fixed (T* a = tile)
        fixed (T* x = ones)
        fixed (T* y = rowSums)
        {
            if (typeof(T) == typeof(float))
            {
                Library.Gemv(false, rows, rowLength, 1f, (float*)a, rowLength, (float*)x, 1, 0f, (float*)y, 1);
                for (int r = 0; r < rows; r++)
                {
                    float* row = (float*)a + ((long)r * rowLength);
                    sum[rowSlots[r]] += ((float*)y)[r];
                    sumOfSquares[rowSlots[r]] += Library.Dot(rowLength, row, 1, row, 1);
                }
            }
            else
            {
                Library.Gemv(false, rows, rowLength, 1d, (double*)a, rowLength, (double*)x, 1, 0d, (double*)y, 1);
                for (int r = 0; r < rows; r++)
                {
                    double* row = (double*)a + ((long)r * rowLength);
                    sum[rowSlots[r]] += ((double*)y)[r];
                    sumOfSquares[rowSlots[r]] += Library.Dot(rowLength, row, 1, row, 1);
                }
            }
        }
    }
}
