using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using BnNative.Collections;
using BnNative.Tensors;

namespace BnNative.Moments;

/// <summary>
/// The shared driver of the fast backends: one pass over the data accumulating, per channel and per block of
/// at most <see cref="FoldLength"/> elements per partial sum, S1 = Σ(x − K_c) and S2 = Σ(x − K_c)² in the element
/// type, folded into double. K_c is the median of a few samples spread over the channel, so (x − K_c) is small and
/// the sums cancel little. The float32 one-pass formula E[x²] − E[x]² is never used (x ∈ {9999, 10001} has
/// variance 1, which it turns into 0).
/// </summary>
/// <remarks>
/// <para>Precision: a block is accepted (<see cref="ChannelAccumulator.TryAddShifted"/>) only when S2 − S1²/n loses
/// less than a factor <see cref="MaxAmplification"/> to cancellation; otherwise the kernel recomputes that block
/// exactly (two passes in double over data that is still in cache) and merges it with Chan's formula. Accepted
/// blocks keep that bound together, so the relative error of M2 stays around
/// MaxAmplification · FoldLength · 2⁻²⁴ in the worst case for float input, whatever the data.</para>
/// <para>Determinism: work is split into chunks that depend only on the shape, never on the thread count; each
/// chunk fills its own accumulators and they are combined in chunk order, so the result is bitwise the same for
/// any number of threads.</para>
/// </remarks>
public abstract class ShiftedSumsBackend : MomentsBackend
{
    /// <summary>
    /// Most elements one low-precision partial-sum chain (one vector lane of one accumulator) takes before it is folded
    /// into double; a kernel may combine a few chains pairwise first (two more roundings).
    /// </summary>
    public const int FoldLength = 64;

    /// <summary>Largest loss of relative precision to cancellation accepted in a block before it is recomputed exactly.</summary>
    public const double MaxAmplification = 16;

    /// <summary>Target number of elements per chunk (a chunk is the unit of parallel work).</summary>
    protected const int ChunkElements = 1 << 16;

    private const int ShiftSamples = 16;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected sealed override BatchMoments ComputeCore<T>(TensorView<T> x, int channelAxis, int threads)
    {
        using var blocks = ChannelBlocks<T>.Create(x, channelAxis);
        var shifts = ComputeShifts(blocks);
        var plan = ChunkPlan.For(blocks);
        var accumulators = ArrayPool<ChannelAccumulator>.Shared.Rent(plan.TotalSlots);
        try
        {
            void Run(int chunk)
            {
                var slots = accumulators.AsSpan(plan.SlotStart(chunk), plan.SlotCount(chunk));
                slots.Clear();
                if (plan.Rows)
                {
                    AccumulateRows(blocks, plan.First(chunk), plan.End(chunk), shifts, slots);
                }
                else
                {
                    AccumulateRuns(blocks, plan.First(chunk), plan.End(chunk), shifts, slots);
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

            return Finish(blocks, plan, shifts, accumulators);
        }
        finally
        {
            ArrayPool<ChannelAccumulator>.Shared.Return(accumulators);
        }
    }

    /// <summary>
    /// Accumulates, for the outer-channel pairs p in [<paramref name="firstPair"/>, <paramref name="endPair"/>)
    /// (p = o·C + c for outer o and channel c), the run of pair p into slot (p − firstPair) mod C.
    /// </summary>
    protected abstract void AccumulateRuns<T>(
        ChannelBlocks<T> blocks, long firstPair, long endPair, ReadOnlySpan<T> shifts, Span<ChannelAccumulator> slots)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>
    /// Accumulates the outer rows [<paramref name="firstRow"/>, <paramref name="endRow"/>) of channels-innermost
    /// blocks, channel c into slot c. <paramref name="firstRow"/> is a multiple of <see cref="FoldLength"/>.
    /// </summary>
    protected abstract void AccumulateRows<T>(
        ChannelBlocks<T> blocks, long firstRow, long endRow, ReadOnlySpan<T> shifts, Span<ChannelAccumulator> slots)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>Exact (mean, M2) of a contiguous block: mean in double, then the corrected two-pass sum of squares.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected static (double Mean, double M2) ExactMoments<T>(ReadOnlySpan<T> block)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double total = 0;
        foreach (T value in block)
        {
            total += double.CreateTruncating(value);
        }

        double mean = total / block.Length;
        double sum = 0;
        double sumOfSquares = 0;
        foreach (T value in block)
        {
            double d = double.CreateTruncating(value) - mean;
            sum += d;
            sumOfSquares += d * d;
        }

        return (mean + (sum / block.Length), Math.Max(sumOfSquares - (sum * (sum / block.Length)), 0));
    }

    /// <summary>Exact (mean, M2) of channel <paramref name="channel"/> over <paramref name="rows"/> rows of channels-innermost blocks.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected static (double Mean, double M2) ExactColumn<T>(ChannelBlocks<T> blocks, long firstRow, int rows, int channel)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(blocks);
        var column = ArrayPool<double>.Shared.Rent(rows);
        try
        {
            var data = blocks.Memory.Span;
            var cursor = blocks.CursorAt(firstRow);
            for (int r = 0; r < rows; r++)
            {
                column[r] = double.CreateTruncating(data[(int)cursor.Offset + channel]);
                cursor.MoveNext();
            }

            return ExactMoments<double>(column.AsSpan(0, rows));
        }
        finally
        {
            ArrayPool<double>.Shared.Return(column);
        }
    }

    /// <summary>Per channel, the median of up to <see cref="ShiftSamples"/> elements spread evenly over the channel.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static T[] ComputeShifts<T>(ChannelBlocks<T> blocks)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var data = blocks.Memory.Span;
        var shifts = new T[blocks.Channels];
        long n = blocks.CountPerChannel;
        int samples = (int)Math.Min(ShiftSamples, n);
        Span<T> sample = stackalloc T[ShiftSamples];
        Span<long> offsets = stackalloc long[ShiftSamples];
        for (int k = 0; k < samples; k++)
        {
            long position = samples == 1 ? 0 : k * (n - 1) / (samples - 1);
            offsets[k] = blocks.OuterOffset(position / blocks.Inner) + (position % blocks.Inner);
        }

        for (int c = 0; c < shifts.Length; c++)
        {
            for (int k = 0; k < samples; k++)
            {
                sample[k] = data[(int)(offsets[k] + (c * blocks.ChannelStride))];
            }

            var taken = sample[..samples];
            InsertionSort(taken);
            T median = taken[(samples - 1) / 2];
            if (!T.IsFinite(median))
            {
                // Non-finite data makes the result non-finite anyway; keep the shift itself finite.
                median = T.Zero;
                foreach (T value in taken)
                {
                    if (T.IsFinite(value))
                    {
                        median = value;
                        break;
                    }
                }
            }

            shifts[c] = median;
        }

        return shifts;
    }

    /// <summary>
    /// Sorts a handful of samples in place (NaN last). Written out rather than Span.Sort: this runs once per channel
    /// per call, and the generic sort helper would start in unoptimized tier-0 code.
    /// </summary>
    private static void InsertionSort<T>(Span<T> values)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 1; i < values.Length; i++)
        {
            T value = values[i];
            int j = i - 1;
            while (j >= 0 && (values[j] > value || (T.IsNaN(values[j]) && !T.IsNaN(value))))
            {
                values[j + 1] = values[j];
                j--;
            }

            values[j + 1] = value;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static BatchMoments Finish<T>(ChannelBlocks<T> blocks, ChunkPlan plan, T[] shifts, ChannelAccumulator[] accumulators)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int channels = blocks.Channels;
        var totals = new ChannelAccumulator[channels];
        for (int chunk = 0; chunk < plan.Chunks; chunk++)
        {
            int start = plan.SlotStart(chunk);
            int count = plan.SlotCount(chunk);
            int c = plan.FirstChannel(chunk);
            for (int slot = 0; slot < count; slot++)
            {
                totals[c].Add(accumulators[start + slot]);
                if (++c == channels)
                {
                    c = 0;
                }
            }
        }

        var mean = new double[channels];
        var m2 = new double[channels];
        for (int c = 0; c < channels; c++)
        {
            (mean[c], m2[c]) = totals[c].Result(double.CreateTruncating(shifts[c]));
        }

        return new BatchMoments(blocks.CountPerChannel, ReadOnlyVector<double>.Adopt(mean), ReadOnlyVector<double>.Adopt(m2));
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
