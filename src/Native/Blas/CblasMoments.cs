using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using BnNative.Moments;
using BnNative.Tensors;

namespace BnNative.Native.Blas;

/// <summary>
/// Batch moments through a CBLAS library. Data is copied in tiles, shifted by the per-channel shift, into a
/// cache-resident scratch matrix with one row of at most 256 elements per channel piece (zero-padded): sums come
/// from one gemv of the tile against a ones vector, sums of squares from a dot per row (dsdot, accumulated in
/// double, for float data). Where the channel axis is innermost the tile is a blocked transpose of 256 rows. Each
/// tile row is one block for <see cref="ChannelAccumulator"/>: recomputed exactly when its sums would cancel.
/// </summary>
/// <remarks>
/// Every BLAS call works on a tile of at most 2¹³ elements, so no size comes near int.MaxValue and the result of
/// each call does not depend on the library's own threading (gemv computes each row sum in one thread).
/// Parallelism and determinism come from <see cref="ShiftedSumsBackend"/>'s fixed chunks.
/// </remarks>
public sealed unsafe class CblasMoments : ShiftedSumsBackend
{
    // Tiles stay below OpenBLAS's threading threshold for gemv (2304·4 elements), so the library never starts its
    // own threads under ours: parallelism comes from the chunks, and extra BLAS threads would only contend.
    private const int RunTileElements = 1 << 13;
    private const int TileRowLength = 256;
    private const int RowTileChannels = RunTileElements / TileRowLength;

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
        ChannelBlocks<T> blocks, long firstPair, long endPair, ReadOnlySpan<T> shifts, Span<ChannelAccumulator> slots)
    {
        int channels = blocks.Channels;
        int rowLength = Math.Min(blocks.Inner, TileRowLength);
        int tileRows = Math.Max(1, RunTileElements / rowLength);
        using var tile = new AlignedScratch<T>(tileRows * rowLength);
        var rowSlots = ArrayPool<int>.Shared.Rent(tileRows);
        var rowCounts = ArrayPool<int>.Shared.Rent(tileRows);
        var rowShifts = ArrayPool<T>.Shared.Rent(tileRows);
        using var rowSums = new AlignedScratch<T>(tileRows);
        using var ones = new AlignedScratch<T>(rowLength);
        try
        {
            ones.Span.Fill(T.One);
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
                    var row = tile.Span.Slice(rows * rowLength, rowLength);
                    Subtract(data.Slice((int)(start + piece), length), shifts[c], row[..length]);
                    row[length..].Clear();
                    rowSlots[rows] = slot;
                    rowCounts[rows] = length;
                    rowShifts[rows++] = shifts[c];
                    if (rows == tileRows)
                    {
                        ReduceTile(new Tile<T>(tile, rows, rowLength, rowSlots, rowCounts, rowShifts), ones, rowSums, slots);
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

            ReduceTile(new Tile<T>(tile, rows, rowLength, rowSlots, rowCounts, rowShifts), ones, rowSums, slots);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(rowSlots);
            ArrayPool<int>.Shared.Return(rowCounts);
            ArrayPool<T>.Shared.Return(rowShifts);
        }
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected override void AccumulateRows<T>(
        ChannelBlocks<T> blocks, long firstRow, long endRow, ReadOnlySpan<T> shifts, Span<ChannelAccumulator> slots)
    {
        int channels = blocks.Channels;
        int group = Math.Min(channels, RowTileChannels);
        using var tile = new AlignedScratch<T>(group * TileRowLength);
        using var rowSums = new AlignedScratch<T>(group);
        using var ones = new AlignedScratch<T>(TileRowLength);
        var rowSlots = ArrayPool<int>.Shared.Rent(group);
        var rowCounts = ArrayPool<int>.Shared.Rent(group);
        var rowShifts = ArrayPool<T>.Shared.Rent(group);
        try
        {
            ones.Span.Fill(T.One);
            var data = blocks.Memory.Span;
            for (long row = firstRow; row < endRow; row += TileRowLength)
            {
                int count = (int)Math.Min(TileRowLength, endRow - row);
                for (int c0 = 0; c0 < channels; c0 += group)
                {
                    int width = Math.Min(group, channels - c0);
                    var values = tile.Span;
                    values[..(width * TileRowLength)].Clear();
                    var cursor = blocks.CursorAt(row);
                    for (int r = 0; r < count; r++)
                    {
                        var x = data.Slice((int)cursor.Offset + c0, width);
                        for (int c = 0; c < width; c++)
                        {
                            values[(c * TileRowLength) + r] = x[c] - shifts[c0 + c];
                        }

                        cursor.MoveNext();
                    }

                    for (int c = 0; c < width; c++)
                    {
                        rowSlots[c] = c0 + c;
                        rowCounts[c] = count;
                        rowShifts[c] = shifts[c0 + c];
                    }

                    ReduceTile(new Tile<T>(tile, width, TileRowLength, rowSlots, rowCounts, rowShifts), ones, rowSums, slots);
                }
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(rowSlots);
            ArrayPool<int>.Shared.Return(rowCounts);
            ArrayPool<T>.Shared.Return(rowShifts);
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

    /// <summary>
    /// Row sums (gemv against ones) and row sums of squares (a dot per row, accumulated in double for float data)
    /// of a tile of shifted values, added to the rows' slots; a row whose sums would cancel is recomputed exactly.
    /// </summary>
    private void ReduceTile<T>(in Tile<T> tile, AlignedScratch<T> ones, AlignedScratch<T> rowSums, Span<ChannelAccumulator> slots)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (tile.Rows == 0)
        {
            return;
        }

        T* a = tile.Values.Pointer;
        T* x = ones.Pointer;
        T* y = rowSums.Pointer;
        for (int r = 0; r < tile.Rows; r++)
        {
            long offset = (long)r * tile.RowLength;
            double sum;
            double sumOfSquares;
            if (typeof(T) == typeof(float))
            {
                if (r == 0)
                {
                    Library.Gemv(false, tile.Rows, tile.RowLength, 1f, (float*)a, tile.RowLength, (float*)x, 1, 0f, (float*)y, 1);
                }

                float* row = (float*)a + offset;
                sum = ((float*)y)[r];
                sumOfSquares = Library.DotDoubleAccumulate(tile.RowLength, row, 1, row, 1);
            }
            else
            {
                if (r == 0)
                {
                    Library.Gemv(false, tile.Rows, tile.RowLength, 1d, (double*)a, tile.RowLength, (double*)x, 1, 0d, (double*)y, 1);
                }

                double* row = (double*)a + offset;
                sum = ((double*)y)[r];
                sumOfSquares = Library.Dot(tile.RowLength, row, 1, row, 1);
            }

            ref var slot = ref slots[tile.Slots[r]];
            int count = tile.Counts[r];
            if (!slot.TryAddShifted(count, sum, sumOfSquares))
            {
                var (mean, m2) = ExactMoments<T>(tile.Values.Span.Slice((int)offset, count));
                slot.AddExact(count, mean + double.CreateTruncating(tile.Shifts[r]), m2);
            }
        }
    }

    /// <summary>A scratch matrix of shifted values: one row per channel piece, zero-padded to the row length.</summary>
    private readonly record struct Tile<T>(AlignedScratch<T> Values, int Rows, int RowLength, int[] Slots, int[] Counts, T[] Shifts)
        where T : unmanaged, IFloatingPointIeee754<T>;
}
