using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using BnNative.Kernels;
using BnNative.Moments;

namespace BnNative.Native.Blas;

/// <summary>
/// Batch moments through a CBLAS library. Data is copied in tiles, shifted by the per-channel shift, into a
/// cache-resident scratch matrix with one row of at most 256 elements per channel piece (zero-padded): sums come
/// from one gemv of the tile against a ones vector, sums of squares from a dot per row (dsdot, accumulated in
/// double, for float data). Where the channels are inner the tile is a blocked transpose of 256 rows. Each tile row
/// is one block for <see cref="ChannelAccumulator"/>: recomputed exactly when its sums would cancel.
/// </summary>
/// <remarks>
/// Every BLAS call works on a tile of at most 2¹³ elements, so no size comes near int.MaxValue and the result of each
/// call does not depend on the library's own threading (gemv computes each row sum in one thread). The chunks, their
/// walk over runs and their merge are <see cref="ChannelSums"/>'s, shared with the managed backend.
/// </remarks>
internal sealed unsafe class CblasMoments : ShiftedSumsBackend
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

    private protected override void Accumulate<T>(in ChannelLayout layout, T* a, T* table, int tableStride, Span<ChannelAccumulator> totals, int threads)
    {
        var self = GCHandle.Alloc(this);
        try
        {
            ChannelSums.Run(layout, a, a, table, tableStride, &Chunk<T>, GCHandle.ToIntPtr(self), totals, threads);
        }
        finally
        {
            self.Free();
        }
    }

    private static void Chunk<T>(ref SumJob<T> job, int chunk)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var backend = (CblasMoments)GCHandle.FromIntPtr(job.Context).Target!;
        if (job.Plan.Rows)
        {
            backend.AccumulateRows(ref job, chunk);
            return;
        }

        int rowLength = Math.Min(job.Layout.Inner, TileRowLength);
        var slots = new Span<ChannelAccumulator>(job.SlotsOf(chunk), job.Plan.SlotsPerChunk);
        var tiles = new RunTiles<T>(backend, rowLength, Math.Max(1, RunTileElements / rowLength), job.Table, slots);
        try
        {
            ChannelSums.WalkRuns(ref job, chunk, ref tiles);
            backend.ReduceTile(tiles.Tile, slots);
        }
        finally
        {
            tiles.Tile.Dispose();
        }
    }

    /// <summary>Rows of channels: blocks of up to 256 rows transposed into tiles of up to 32 channels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void AccumulateRows<T>(ref SumJob<T> job, int chunk)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int channels = job.Layout.Channels;
        int group = Math.Min(channels, RowTileChannels);
        var slots = new Span<ChannelAccumulator>(job.SlotsOf(chunk), channels);
        using var tile = new TileBuffers<T>(group, TileRowLength);
        long end = job.Plan.End(chunk);
        for (long row = job.Plan.First(chunk); row < end; row += TileRowLength)
        {
            int count = (int)Math.Min(TileRowLength, end - row);
            for (int c0 = 0; c0 < channels; c0 += group)
            {
                int width = Math.Min(group, channels - c0);
                var values = tile.Values.Span;
                values[..(width * TileRowLength)].Clear();
                var cursor = new OuterCursor(job.Layout, row);
                for (int r = 0; r < count; r++)
                {
                    T* x = job.A + cursor.Offset(0) + c0;
                    for (int c = 0; c < width; c++)
                    {
                        values[(c * TileRowLength) + r] = x[c] - job.Table[c0 + c];
                    }

                    cursor.Advance(1);
                }

                for (int c = 0; c < width; c++)
                {
                    tile.Add(c0 + c, count, job.Table[c0 + c]);
                }

                ReduceTile(tile, slots);
            }
        }
    }

    /// <summary>
    /// Row sums (gemv against ones) and row sums of squares (a dot per row, accumulated in double for float data)
    /// of a tile of shifted values, added to the rows' slots; a row whose sums would cancel is recomputed exactly.
    /// Empties the tile.
    /// </summary>
    private void ReduceTile<T>(TileBuffers<T> tile, Span<ChannelAccumulator> slots)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = tile.Rows;
        int rowLength = tile.RowLength;
        if (rows == 0)
        {
            return;
        }

        T* a = tile.Values.Pointer;
        T* y = tile.RowSums.Pointer;
        if (typeof(T) == typeof(float))
        {
            Library.Gemv(false, rows, rowLength, 1f, (float*)a, rowLength, (float*)tile.Ones.Pointer, 1, 0f, (float*)y, 1);
        }
        else
        {
            Library.Gemv(false, rows, rowLength, 1d, (double*)a, rowLength, (double*)tile.Ones.Pointer, 1, 0d, (double*)y, 1);
        }

        for (int r = 0; r < rows; r++)
        {
            long offset = (long)r * rowLength;
            double sum = double.CreateTruncating(y[r]);
            double sumOfSquares = typeof(T) == typeof(float)
                ? Library.DotDoubleAccumulate(rowLength, (float*)a + offset, 1, (float*)a + offset, 1)
                : Library.Dot(rowLength, (double*)a + offset, 1, (double*)a + offset, 1);
            ref var slot = ref slots[tile.Slot(r)];
            int count = tile.Count(r);
            if (!slot.TryAddShifted(count, sum, sumOfSquares))
            {
                var (mean, m2) = ChannelSums.ExactMoments<T>(tile.Values.Span.Slice((int)offset, count));
                slot.AddExact(count, mean + double.CreateTruncating(tile.Shift(r)), m2);
            }
        }

        tile.Clear();
    }

    /// <summary>The tile of runs being filled: each run is cut into rows of the tile; a full tile is reduced.</summary>
    private readonly struct RunTiles<T> : IRunVisitor<T>
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly CblasMoments _backend;
        private readonly T* _shifts;
        private readonly ChannelAccumulator* _slots;
        private readonly int _slotCount;

        public RunTiles(CblasMoments backend, int rowLength, int rows, T* shifts, Span<ChannelAccumulator> slots)
        {
            _backend = backend;
            Tile = new TileBuffers<T>(rows, rowLength);
            _shifts = shifts;
            _slots = (ChannelAccumulator*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(slots));
            _slotCount = slots.Length;
        }

        public TileBuffers<T> Tile { get; }

        public void Run(T* a, T* b, int length, int channel, ref ChannelAccumulator slot)
        {
            int slotIndex = (int)((ChannelAccumulator*)Unsafe.AsPointer(ref slot) - _slots);
            T shift = _shifts[channel];
            var k = new Vector<T>(shift);
            for (int piece = 0; piece < length; piece += Tile.RowLength)
            {
                int count = Math.Min(Tile.RowLength, length - piece);
                var row = Tile.Values.Span.Slice(Tile.Rows * Tile.RowLength, Tile.RowLength);
                var source = new ReadOnlySpan<T>(a + piece, count);
                int i = 0;
                for (; i + Vector<T>.Count <= count; i += Vector<T>.Count)
                {
                    (new Vector<T>(source[i..]) - k).CopyTo(row[i..]);
                }

                for (; i < count; i++)
                {
                    row[i] = source[i] - shift;
                }

                row[count..].Clear();
                Tile.Add(slotIndex, count, shift);
                if (Tile.Rows == Tile.Capacity)
                {
                    _backend.ReduceTile(Tile, new Span<ChannelAccumulator>(_slots, _slotCount));
                }
            }
        }
    }

    /// <summary>A scratch matrix of shifted values (one row per channel piece, zero-padded) with its rows' slot, count and shift.</summary>
    private sealed class TileBuffers<T> : IDisposable
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly int[] _slots;
        private readonly int[] _counts;
        private readonly T[] _shifts;

        public TileBuffers(int capacity, int rowLength)
        {
            Capacity = capacity;
            RowLength = rowLength;
            Values = new AlignedScratch<T>(capacity * rowLength);
            RowSums = new AlignedScratch<T>(capacity);
            Ones = new AlignedScratch<T>(rowLength);
            Ones.Span.Fill(T.One);
            _slots = ArrayPool<int>.Shared.Rent(capacity);
            _counts = ArrayPool<int>.Shared.Rent(capacity);
            _shifts = ArrayPool<T>.Shared.Rent(capacity);
        }

        public int Capacity { get; }

        public int RowLength { get; }

        public int Rows { get; private set; }

        public AlignedScratch<T> Values { get; }

        public AlignedScratch<T> RowSums { get; }

        public AlignedScratch<T> Ones { get; }

        public int Slot(int row) => _slots[row];

        public int Count(int row) => _counts[row];

        public T Shift(int row) => _shifts[row];

        public void Add(int slot, int count, T shift)
        {
            _slots[Rows] = slot;
            _counts[Rows] = count;
            _shifts[Rows++] = shift;
        }

        public void Clear() => Rows = 0;

        public void Dispose()
        {
            Values.Dispose();
            RowSums.Dispose();
            Ones.Dispose();
            ArrayPool<int>.Shared.Return(_slots);
            ArrayPool<int>.Shared.Return(_counts);
            ArrayPool<T>.Shared.Return(_shifts);
        }
    }
}
