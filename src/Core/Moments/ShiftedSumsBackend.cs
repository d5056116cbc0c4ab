using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using BnNative.Collections;
using BnNative.Kernels;
using BnNative.Tensors;

namespace BnNative.Moments;

/// <summary>
/// The moments backends that reduce shifted sums: per channel, S1 = Σ(x − K_c) and S2 = Σ(x − K_c)² with K_c the
/// median of a few samples spread over the channel, so (x − K_c) is small and the sums cancel little. The float32
/// one-pass formula E[x²] − E[x]² is never used (x ∈ {9999, 10001} has variance 1, which it turns into 0).
/// </summary>
/// <remarks>
/// <para>Precision: a block is accepted (<see cref="ChannelAccumulator.TryAddShifted"/>) only when S2 − S1²/n loses
/// less than a factor <see cref="MaxAmplification"/> to cancellation; otherwise that block is recomputed exactly (two
/// passes in double over data that is still in cache) and merged with Chan's formula. Accepted blocks keep that bound
/// together, so the relative error of M2 stays around MaxAmplification · FoldLength · 2⁻²⁴ in the worst case for
/// float input, whatever the data.</para>
/// <para>Determinism: the work is cut by <see cref="ChunkPlan"/> (a function of the shape only); each chunk fills its
/// own accumulators and they are combined in chunk order, so the result is bitwise the same for any number of
/// threads.</para>
/// </remarks>
internal abstract unsafe class ShiftedSumsBackend : MomentsBackend
{
    /// <summary>Most elements one low-precision partial-sum chain takes before it is folded into double.</summary>
    public const int FoldLength = ChannelSums.FoldLength;

    /// <summary>Largest loss of relative precision to cancellation accepted in a block before it is recomputed exactly.</summary>
    public const double MaxAmplification = ChannelSums.MaxAmplification;

    private const int ShiftSamples = 5;

    /// <inheritdoc />
    protected sealed override long ComputeCore<T>(TensorView<T> x, int channelAxis, int threads, Span<double> mean, Span<double> m2)
    {
        return ManagedSums && TryShortRows(x, channelAxis, mean, m2, out long count)
            ? count
            : ComputeWithSlots(x, channelAxis, threads, mean, m2);
    }

    /// <summary>
    /// The general path of <see cref="ComputeCore"/>: any layout, cut into chunks by <see cref="ChunkPlan"/>, each chunk's
    /// blocks committed to per-channel accumulators (or recomputed exactly) and merged in chunk order. The short rows of
    /// <see cref="TryShortRows"/> give its bits exactly (tests compare the two). With <paramref name="oneWindow"/>, a
    /// tensor of rows whose every chunk is one check window takes <see cref="ChannelSums.TryWindowChunks"/> (the managed
    /// sums only), which gives the same bits without the accumulators; tests pass false to compare the two.
    /// </summary>
    [SkipLocalsInit] // the shift table is written whole before it is read
    internal long ComputeWithSlots<T>(TensorView<T> x, int channelAxis, int threads, Span<double> mean, Span<double> m2, bool oneWindow = true)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ShapeSet shapes = default;
        shapes[0] = x.Shape;
        shapes[1] = x.Shape;
        if (!ChannelLayout.TryCreate(shapes[..2], channelAxis, out var layout))
        {
            using var packed = new PackedViews<T>([x], lastIsOutput: false);
            return ComputeWithSlots(packed.Views[0], channelAxis, threads, mean, m2, oneWindow);
        }

        // The shifts in row 0 and zeros in row 1 of a coefficient table (CoefficientTable's layout), on the stack unless
        // it is large, and the accumulators rented only when the window chunks hand the tensor back: in perf samples of a
        // [256, 256] step, the two rents, their returns and the thread-local lookups behind them were about 3%.
        int channels = layout.Channels;
        int stride = CoefficientTable<T>.StrideOf(channels);
        int entries = CoefficientTable<T>.Length(channels, 2);
        T[]? rentedTable = (long)entries * sizeof(T) > MaxStackTableBytes ? ArrayPool<T>.Shared.Rent(entries) : null;
        Span<T> table = rentedTable is null ? stackalloc T[entries] : rentedTable.AsSpan(0, entries);
        var shifts = table[..channels];
        ChannelAccumulator[]? totals = null;
        try
        {
            fixed (T* a = x.Memory.Span)
            fixed (T* k = table)
            {
                ComputeShifts(layout, a, shifts);
                table.Slice(stride, channels).Clear();
                CoefficientTable<T>.Seal(table, channels, 2);
                if (oneWindow && ManagedSums && ChannelSums.HasWindowChunks(layout, out var plan)
                    && TryWindowChunks(layout, plan, a, k, stride, shifts, mean, m2, threads))
                {
                    return layout.CountPerChannel;
                }

                totals = ArrayPool<ChannelAccumulator>.Shared.Rent(channels);
                Accumulate(layout, a, k, stride, totals.AsSpan(0, channels), threads);
            }

            ChannelAccumulator.Results<T>(totals.AsSpan(0, channels), shifts, mean, m2);

            return layout.CountPerChannel;
        }
        finally
        {
            if (totals is not null)
            {
                ArrayPool<ChannelAccumulator>.Shared.Return(totals);
            }

            if (rentedTable is not null)
            {
                ArrayPool<T>.Shared.Return(rentedTable);
            }
        }
    }

    /// <summary>Largest shift table (bytes: two rows of channels and their wrap) that <see cref="ComputeWithSlots"/> keeps on the stack.</summary>
    private const int MaxStackTableBytes = 16 << 10;

    /// <summary>
    /// The moments of a tensor of rows whose every chunk is one check window (<see cref="ChannelSums.TryWindowChunks"/>,
    /// with the <paramref name="plan"/> <see cref="ChannelSums.HasWindowChunks"/> gave): its double sums straight to
    /// the results, without the per-channel accumulators; false when a channel needs the exact recomputation (the caller
    /// then takes the general path).
    /// </summary>
    [SkipLocalsInit] // each chunk's walk clears its sums before it adds to them
    private static bool TryWindowChunks<T>(
        in ChannelLayout layout, in ChunkPlan plan, T* a, T* k, int tableStride, ReadOnlySpan<T> shifts, Span<double> mean, Span<double> m2,
        int threads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int channels = layout.Channels;
        Span<double> sums = stackalloc double[plan.Chunks * 2 * channels];
        fixed (double* sum = sums)
        {
            if (!ChannelSums.TryWindowChunks<T, ShiftedSquares<T>>(layout, plan, a, a, k, tableStride, sum, threads))
            {
                return false;
            }
        }

        ChannelAccumulator.Results<T>(layout.CountPerChannel, sums[..channels], sums[channels..(2 * channels)], shifts, mean, m2);
        return true;
    }

    /// <summary>
    /// Fills <paramref name="totals"/> (one per channel) with the shifted sums of view 0 of <paramref name="layout"/>,
    /// through <see cref="ChannelSums.Run{T}"/>. The table holds the shifts in row 0 (and zeros in row 1).
    /// </summary>
    private protected abstract void Accumulate<T>(in ChannelLayout layout, T* a, T* table, int tableStride, Span<ChannelAccumulator> totals, int threads)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>
    /// True when <see cref="Accumulate"/> is the managed loop of <see cref="ChannelSums"/>: then a short tensor of
    /// contiguous rows takes <see cref="ChannelSums.TryShortRows"/>, the same sums without the layout, plan and slots.
    /// </summary>
    private protected virtual bool ManagedSums => false;

    /// <summary>
    /// The moments of at most <see cref="FoldLength"/> contiguous rows of channels with a flat cycle, through
    /// <see cref="ChannelSums.TryShortRows"/>: bit for bit what the general path computes for them (one chunk, one
    /// block), at a fraction of its fixed cost (a [32, 64] training step spent about a third of its time around the
    /// sums). False, with nothing written, for any other tensor or when a block needs the exact recomputation.
    /// </summary>
    [SkipLocalsInit] // every buffer is written before it is read
    private static bool TryShortRows<T>(TensorView<T> x, int channelAxis, Span<double> mean, Span<double> m2, out long rows)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int channels = x.Lengths[channelAxis];
        int periodVectors = ChannelSums.ShortRowsPeriod<T>(x.Shape, channelAxis, out int shortRows);
        rows = shortRows;
        if (periodVectors == 0)
        {
            return false;
        }

        // A flat cycle is at most eight vectors, so C ≤ 8 · width (64 floats): small buffers on the stack.
        Span<T> shifts = stackalloc T[(ChannelSums.MaxPeriodVectors * Vector<T>.Count) + CoefficientTable<T>.Wrap];
        Span<double> sums = stackalloc double[2 * ChannelSums.MaxPeriodVectors * Vector<T>.Count];
        Span<long> offsets = stackalloc long[ShiftSamples];
        int samples = SamplePositions(rows, offsets);
        for (int k = 0; k < samples; k++)
        {
            offsets[k] *= channels;
        }

        fixed (T* a = x.Memory.Span)
        fixed (T* k = shifts)
        fixed (double* sum = sums)
        {
            T* first = a + x.Shape.Offset;
            ShiftsAt(first, offsets[..samples], 1, shifts[..channels]);
            CoefficientTable<T>.Seal(shifts, channels, 1);

            if (!ChannelSums.TryShortRows<T, ShiftedSquares<T>>(first, first, shortRows, channels, periodVectors, k, sum, sum + channels))
            {
                return false;
            }
        }

        ChannelAccumulator.Results<T>(rows, sums[..channels], sums.Slice(channels, channels), shifts[..channels], mean, m2);
        return true;
    }

    /// <summary>
    /// Positions (in [0, <paramref name="n"/>)) of up to <see cref="ShiftSamples"/> samples spread evenly over a channel
    /// of <paramref name="n"/> elements, into <paramref name="positions"/>; returns how many.
    /// </summary>
    private static int SamplePositions(long n, Span<long> positions)
    {
        int samples = (int)Math.Min(ShiftSamples, n);
        for (int k = 0; k < samples; k++)
        {
            // A constant divisor in the usual case (a shift, not a division instruction: a [32, 64] step is short).
            positions[k] = samples == ShiftSamples ? k * (n - 1) / (ShiftSamples - 1) : samples == 1 ? 0 : k * (n - 1) / (samples - 1);
        }

        return samples;
    }

    /// <summary>Per channel, the median of up to <see cref="ShiftSamples"/> elements spread evenly over the channel.</summary>
    private static void ComputeShifts<T>(in ChannelLayout layout, T* a, Span<T> shifts)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Span<long> offsets = stackalloc long[ShiftSamples];
        int samples = SamplePositions(layout.CountPerChannel, offsets);
        for (int k = 0; k < samples; k++)
        {
            long position = offsets[k];
            offsets[k] = layout.Inner == 1 ? layout.OuterOffset(0, position) : layout.OuterOffset(0, position / layout.Inner) + (position % layout.Inner);
        }

        ShiftsAt(a, offsets[..samples], layout.ChannelStride(0), shifts);
    }

    /// <summary>
    /// Per channel c, the median of the elements at <paramref name="offsets"/> + c·<paramref name="channelStride"/>
    /// (or the first finite one of them, or 0).
    /// </summary>
    private static void ShiftsAt<T>(T* a, ReadOnlySpan<long> offsets, long channelStride, Span<T> shifts)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int samples = offsets.Length;
        Span<T> sample = stackalloc T[ShiftSamples];
        int c = 0;
        if (samples == ShiftSamples && channelStride == 1)
        {
            // Rows of channels: the five samples of a vector of channels are five loads, their median ten min/max.
            // The five rows' pointers are taken once and the medians stored through a pointer (the offsets' and the
            // sliced destination's bounds checks per vector were a tenth of a [32, 64] step).
            T* row0 = a + offsets[0];
            T* row1 = a + offsets[1];
            T* row2 = a + offsets[2];
            T* row3 = a + offsets[3];
            T* row4 = a + offsets[4];
            fixed (T* destination = shifts)
            {
                for (; c + Vector<T>.Count <= shifts.Length; c += Vector<T>.Count)
                {
                    var v0 = Vector.Load(row0 + c);
                    var v1 = Vector.Load(row1 + c);
                    var v2 = Vector.Load(row2 + c);
                    var v3 = Vector.Load(row3 + c);
                    var v4 = Vector.Load(row4 + c);
                    if (Vector.EqualsAll((v0 - v0) + (v1 - v1) + (v2 - v2) + (v3 - v3) + (v4 - v4), Vector<T>.Zero))
                    {
                        var low = Vector.Max(Vector.Min(v0, v1), Vector.Min(v2, v3));
                        var high = Vector.Min(Vector.Max(v0, v1), Vector.Max(v2, v3));
                        Vector.Max(Vector.Min(v4, low), Vector.Min(Vector.Max(v4, low), high)).Store(destination + c);
                        continue;
                    }

                    for (int k = c; k < c + Vector<T>.Count; k++)
                    {
                        shifts[k] = Shift(a, offsets[..samples], k * channelStride, sample);
                    }
                }
            }
        }

        if (samples == ShiftSamples)
        {
            // Channels a stride apart (NCHW runs, permuted views): the same min/max network one channel at a time,
            // without the sort's data-dependent branches (those made the shifts of [8,256,14,14] a third of its moments
            // call here).
            long o0 = offsets[0], o1 = offsets[1], o2 = offsets[2], o3 = offsets[3], o4 = offsets[4];
            fixed (T* destination = shifts)
            {
                for (T* channel = a + (c * channelStride); c < shifts.Length; c++, channel += channelStride)
                {
                    T v0 = channel[o0], v1 = channel[o1], v2 = channel[o2], v3 = channel[o3], v4 = channel[o4];
                    if ((v0 - v0) + (v1 - v1) + (v2 - v2) + (v3 - v3) + (v4 - v4) == T.Zero)
                    {
                        T low = T.Max(T.Min(v0, v1), T.Min(v2, v3));
                        T high = T.Min(T.Max(v0, v1), T.Max(v2, v3));
                        destination[c] = T.Max(T.Min(v4, low), T.Min(T.Max(v4, low), high));
                        continue;
                    }

                    destination[c] = Shift(a, offsets, c * channelStride, sample);
                }
            }
        }

        for (; c < shifts.Length; c++)
        {
            shifts[c] = Shift(a, offsets[..samples], c * channelStride, sample);
        }
    }

    /// <summary>
    /// The median of the samples at <paramref name="offsets"/> + <paramref name="channelOffset"/> (for five finite
    /// samples the min/max network, which picks the same element as sorting); with a non-finite median the first finite
    /// sample, or 0 (non-finite data makes the result non-finite anyway; the shift itself stays finite).
    /// </summary>
    private static T Shift<T>(T* a, ReadOnlySpan<long> offsets, long channelOffset, Span<T> sample)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var taken = sample[..offsets.Length];
        for (int k = 0; k < offsets.Length; k++)
        {
            taken[k] = a[offsets[k] + channelOffset];
        }

        InsertionSort(taken);
        T median = taken[(taken.Length - 1) / 2];
        if (T.IsFinite(median))
        {
            return median;
        }

        foreach (T value in taken)
        {
            if (T.IsFinite(value))
            {
                return value;
            }
        }

        return T.Zero;
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
}
