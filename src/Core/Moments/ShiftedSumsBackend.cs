using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using BnNative.Collections;
using BnNative.Tensors;

namespace BnNative.Moments;

/// <summary>
/// The shared driver of the fast backends: one pass over the data accumulating, per channel, the sums of
/// (x − K_c) and (x − K_c)² around a per-channel shift K_c (the mean of the channel's first few elements),
/// then mean = K_c + S1/n and M2 = max(S2 − S1²/n, 0). The shift keeps the subtraction free of cancellation
/// (x ∈ {9999, 10001} has variance 1, which E[x²] − E[x]² in float32 turns into 0).
/// </summary>
/// <remarks>
/// Work is split into chunks that depend only on the shape, never on the thread count; each chunk writes its
/// own partial sums and the partials are added in chunk order, so the result is bitwise the same for any
/// number of threads. Subclasses provide the two chunk kernels over <see cref="ChannelBlocks{T}"/>: runs
/// (a contiguous run per outer index and channel) and rows (channels innermost). They accumulate in the
/// element type over at most <see cref="FoldLength"/> elements per partial sum and fold into double.
/// </remarks>
public abstract class ShiftedSumsBackend : MomentsBackend
{
    /// <summary>Most elements one low-precision partial sum may take before it is folded into double.</summary>
    public const int FoldLength = 256;

    /// <summary>Target number of elements per chunk (a chunk is the unit of parallel work).</summary>
    protected const int ChunkElements = 1 << 16;

    private const int ShiftSamples = 8;

    /// <inheritdoc />
    protected sealed override BatchMoments ComputeCore<T>(TensorView<T> x, int channelAxis, int threads)
    {
        using var blocks = ChannelBlocks<T>.Create(x, channelAxis);
        int channels = blocks.Channels;
        var shifts = ComputeShifts(blocks);
        var plan = ChunkPlan.For(blocks);
        var sum = ArrayPool<double>.Shared.Rent(plan.TotalSlots);
        var sumOfSquares = ArrayPool<double>.Shared.Rent(plan.TotalSlots);
        try
        {
            void Run(int chunk)
            {
                var s1 = sum.AsSpan(plan.SlotStart(chunk), plan.SlotCount(chunk));
                var s2 = sumOfSquares.AsSpan(plan.SlotStart(chunk), plan.SlotCount(chunk));
                s1.Clear();
                s2.Clear();
                long first = plan.First(chunk);
                long end = plan.End(chunk);
                if (plan.Rows)
                {
                    AccumulateRows(blocks, first, end, shifts, s1, s2);
                }
                else
                {
                    AccumulateRuns(blocks, first, end, shifts, s1, s2);
                }
            }

            if (threads == 1 || plan.Chunks == 1)
            {
                for (int chunk = 0; chunk < plan.Chunks; chunk++)
                {
                    Run(chunk);
                }
            }
            else
            {
                Parallel.For(0, plan.Chunks, new ParallelOptions { MaxDegreeOfParallelism = threads }, Run);
            }

            return Finish(blocks, plan, shifts, sum, sumOfSquares);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(sum);
            ArrayPool<double>.Shared.Return(sumOfSquares);
        }
    }

    /// <summary>
    /// Adds, for the outer-channel pairs p in [<paramref name="firstPair"/>, <paramref name="endPair"/>) (p = o·C + c,
    /// outer o, channel c), the sums over the run of (x − shift[c]) and (x − shift[c])² into slot
    /// (p − firstPair) mod C of <paramref name="sum"/> and <paramref name="sumOfSquares"/>.
    /// </summary>
    protected abstract void AccumulateRuns<T>(
        ChannelBlocks<T> blocks, long firstPair, long endPair, ReadOnlySpan<T> shifts, Span<double> sum, Span<double> sumOfSquares)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>
    /// Adds, for the outer rows in [<paramref name="firstRow"/>, <paramref name="endRow"/>) of channels-innermost
    /// blocks, the per-channel sums of (x − shift[c]) and (x − shift[c])² into slot c. <paramref name="firstRow"/>
    /// is a multiple of <see cref="FoldLength"/>.
    /// </summary>
    protected abstract void AccumulateRows<T>(
        ChannelBlocks<T> blocks, long firstRow, long endRow, ReadOnlySpan<T> shifts, Span<double> sum, Span<double> sumOfSquares)
        where T : unmanaged, IFloatingPointIeee754<T>;

    private static T[] ComputeShifts<T>(ChannelBlocks<T> blocks)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var data = blocks.Memory.Span;
        var shifts = new T[blocks.Channels];
        long samples = Math.Min(ShiftSamples, blocks.CountPerChannel);
        for (int c = 0; c < shifts.Length; c++)
        {
            double total = 0;
            for (long k = 0; k < samples; k++)
            {
                long outer = k / blocks.Inner;
                long inner = k % blocks.Inner;
                total += double.CreateTruncating(data[(int)(blocks.OuterOffset(outer) + (c * blocks.ChannelStride) + inner)]);
            }

            shifts[c] = T.CreateTruncating(total / samples);
        }

        return shifts;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static BatchMoments Finish<T>(ChannelBlocks<T> blocks, ChunkPlan plan, T[] shifts, double[] sum, double[] sumOfSquares)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int channels = blocks.Channels;
        var s1 = new double[channels];
        var s2 = new double[channels];
        for (int chunk = 0; chunk < plan.Chunks; chunk++)
        {
            int start = plan.SlotStart(chunk);
            int count = plan.SlotCount(chunk);
            int c0 = plan.FirstChannel(chunk);
            for (int slot = 0; slot < count; slot++)
            {
                int c = c0 + slot;
                if (c >= channels)
                {
                    c -= channels;
                }

                s1[c] += sum[start + slot];
                s2[c] += sumOfSquares[start + slot];
            }
        }

        long n = blocks.CountPerChannel;
        var mean = new double[channels];
        var m2 = new double[channels];
        for (int c = 0; c < channels; c++)
        {
            double shift = double.CreateTruncating(shifts[c]);
            mean[c] = shift + (s1[c] / n);
            m2[c] = Math.Max(s2[c] - (s1[c] * (s1[c] / n)), 0);
        }

        return new BatchMoments(n, ReadOnlyVector<double>.Adopt(mean), ReadOnlyVector<double>.Adopt(m2));
    }

    /// <summary>How the work of one call is cut into chunks; a function of the shape only.</summary>
    private readonly struct ChunkPlan
    {
        private readonly long _unitsPerChunk;
        private readonly long _units;
        private readonly int _channels;

        private ChunkPlan(bool rows, long units, long unitsPerChunk, int channels)
        {
            Rows = rows;
            _units = units;
            _unitsPerChunk = unitsPerChunk;
            _channels = channels;
            Chunks = checked((int)((units + unitsPerChunk - 1) / unitsPerChunk));
            SlotsPerChunk = rows ? channels : (int)Math.Min(channels, unitsPerChunk);
            TotalSlots = checked(Chunks * SlotsPerChunk);
        }

        public bool Rows { get; }

        public int Chunks { get; }

        public int SlotsPerChunk { get; }

        public int TotalSlots { get; }

        public static ChunkPlan For<T>(ChannelBlocks<T> blocks)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            if (blocks.ChannelsInnermost)
            {
                long rowsPerChunk = Math.Max(1, ChunkElements / Math.Max(blocks.Channels, 1) / FoldLength) * FoldLength;
                return new ChunkPlan(true, blocks.OuterCount, rowsPerChunk, blocks.Channels);
            }

            long pairs = blocks.OuterCount * blocks.Channels;
            long pairsPerChunk = Math.Max(1, ChunkElements / blocks.Inner);
            return new ChunkPlan(false, pairs, pairsPerChunk, blocks.Channels);
        }

        public long First(int chunk) => chunk * _unitsPerChunk;

        public long End(int chunk) => Math.Min(_units, (chunk + 1) * _unitsPerChunk);

        public int SlotStart(int chunk) => chunk * SlotsPerChunk;

        public int SlotCount(int chunk) => Rows ? _channels : (int)Math.Min(_channels, End(chunk) - First(chunk));

        public int FirstChannel(int chunk) => Rows ? 0 : (int)(First(chunk) % _channels);
    }
}
