using System.Buffers;
using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using BnNative.Moments;
using BnNative.Tensors;

namespace BnNative.Kernels;

/// <summary>
/// Drives an <see cref="IChannelSums{T}"/> over a <see cref="ChannelLayout"/>: sums accumulate in the element type over
/// at most <see cref="FoldLength"/> elements per vector lane, then fold into double per channel; chunks follow
/// <see cref="ChunkPlan"/>, fill their own slots, and are merged in chunk order, so the result is bitwise the same for
/// any number of threads.
/// </summary>
/// <remarks>
/// One vectorized loop per access pattern. Runs of one channel: <see cref="RunLoop"/>, four chains and an overlapped,
/// masked last vector. Rows of channels: a flat stretch whose period spans whole channel cycles goes through
/// <see cref="SumPeriods"/> (up to eight accumulator pairs in registers, lanes mapped back to channel f mod C); rows
/// too wide for that (C a multiple of the vector width) are summed in column groups (<see cref="ColumnGroups"/>): with
/// AVX-512, sixteen vectors at a time with most of their sums in registers (<see cref="HeldGroup"/> for the moments,
/// <see cref="HeldPairGroup"/> for the backward pass's two-input sums from memory; one group is a whole row of 256
/// floats), otherwise
/// eight by the same loop as flat stretches; directly when the tensor fits in cache,
/// from memory with the next band of rows prefetched when a group is narrower than the contiguous rows; other wide rows
/// go through an L1 buffer in memory order (<see cref="RowsInOrder"/>).
/// </remarks>
internal static unsafe class ChannelSums
{
    /// <summary>Most elements one partial-sum chain (one vector lane) takes before it is folded into double.</summary>
    public const int FoldLength = ChunkPlan.FoldRows;

    /// <summary>Largest loss of relative precision to cancellation accepted in a block before it is recomputed exactly.</summary>
    public const double MaxAmplification = 16;

    /// <summary>Most vectors per period.</summary>
    public const int MaxPeriodVectors = 8;

    /// <summary>Most doubles the chunks' sums of <see cref="TryWindowChunks"/> take (32 KB, for the caller's stack).</summary>
    public const int MaxWindowSums = 4096;

    /// <summary>512-bit vectors of channels a column group holds in registers (<see cref="HeldGroup"/>).</summary>
    private const int HeldVectors = 16;

    /// <summary>Vectors of sums a held group keeps in memory at most (<see cref="HeldPairGroup"/>'s first sums of vectors 8–15).</summary>
    private const int HeldSpillVectors = 8;


    /// <summary>Rows whose double sums are checked for cancellation together.</summary>
    private const int CheckRows = 8 * FoldLength;

    /// <summary>Vectors per period when reading a run of one channel.</summary>
    private const int RunPeriodVectors = 4;

    /// <summary>Runs of at most this many bytes prefetch the data <see cref="PrefetchDistanceBytes"/> ahead of their end.</summary>
    private const int PrefetchRunBytes = 4096;

    /// <summary>How far ahead short runs prefetch: two pages.</summary>
    private const int PrefetchDistanceBytes = 8192;

    private const int CacheLineBytes = 64;

    /// <summary>
    /// Largest tensor (bytes of view 0) whose wide rows <see cref="ColumnGroups"/> sums as they are, in cache: one that
    /// fits the caches of this kind of machine (1 MB L2 per core, 32 MB L3), with room for the output. Larger ones are
    /// read from memory, with the next band prefetched (contiguous rows) or through the L1 buffer.
    /// </summary>
    private const long ColumnGroupBytes = 8L << 20;

    /// <summary>
    /// Runs <paramref name="chunk"/> for every chunk of <paramref name="layout"/>'s plan and merges the chunks' slots in
    /// order into <paramref name="totals"/> (one per channel, cleared first).
    /// </summary>
    /// <param name="layout">The views: view 0 is a, view 1 is b.</param>
    /// <param name="a">Base of view 0's buffer.</param>
    /// <param name="b">Base of view 1's buffer.</param>
    /// <param name="table">m_hi and m_lo rows (<see cref="CoefficientTable{T}"/>, pinned).</param>
    /// <param name="tableStride">The table's row distance.</param>
    /// <param name="chunk">The per-chunk accumulation.</param>
    /// <param name="context">Passed to <paramref name="chunk"/> unchanged.</param>
    /// <param name="totals">Per-channel results.</param>
    /// <param name="threads">Threads to use.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<T>(
        in ChannelLayout layout, T* a, T* b, T* table, int tableStride, delegate*<ref SumJob<T>, int, void> chunk, nint context,
        Span<ChannelAccumulator> totals, int threads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var plan = ChunkPlan.For(layout);
        var job = NewJob(layout, plan, a, b, table, tableStride);
        job.Context = context;
        job.Chunk = chunk;
        totals.Clear();
        fixed (ChannelAccumulator* ptotals = totals)
        {
            // Chunk 0 fills the totals themselves: its slots are channels 0, 1, … in order, and adding them to cleared
            // totals would copy them bit for bit (a sum that starts at +0 is never −0; Chan's merge with an empty side
            // returns the other). Later chunks fill slots of their own and are added in chunk order.
            job.FirstSlots = ptotals;
            if (plan.Chunks == 1)
            {
                RunChunk<T>(&job, 0);
                return;
            }

            if (Math.Min(threads, plan.Chunks) <= 1)
            {
                // One thread: the later chunks run in order through one chunk's slots, each merged into the totals when
                // it ends. These are the additions of the merge below in the same order, without slots for every chunk
                // (from memory, clearing, filling and re-reading those cost a tenth of a moments pass).
                var chunkSlots = ArrayPool<ChannelAccumulator>.Shared.Rent(plan.SlotsPerChunk);
                try
                {
                    fixed (ChannelAccumulator* pslots = chunkSlots)
                    {
                        job.Slots = pslots;
                        job.SlotStride = 0;
                        for (int k = 0; k < plan.Chunks; k++)
                        {
                            RunChunk<T>(&job, k);
                            if (k > 0)
                            {
                                Merge(plan, k, pslots, totals);
                            }
                        }
                    }
                }
                finally
                {
                    ArrayPool<ChannelAccumulator>.Shared.Return(chunkSlots);
                }

                return;
            }

            int slotCount = checked((plan.Chunks - 1) * plan.SlotsPerChunk);
            var slots = ArrayPool<ChannelAccumulator>.Shared.Rent(slotCount);
            try
            {
                fixed (ChannelAccumulator* pslots = slots)
                {
                    job.Slots = pslots;
                    job.SlotStride = plan.SlotsPerChunk;
                    WorkerPool.Run(&RunChunk<T>, &job, plan.Chunks, threads);
                    for (int k = 1; k < plan.Chunks; k++)
                    {
                        Merge(plan, k, job.SlotsOf(k), totals);
                    }
                }
            }
            finally
            {
                ArrayPool<ChannelAccumulator>.Shared.Return(slots);
            }
        }
    }

    /// <summary>A job over <paramref name="layout"/>'s views and its chunk <paramref name="plan"/>, with no slots, chunk function or window yet.</summary>
    private static SumJob<T> NewJob<T>(in ChannelLayout layout, in ChunkPlan plan, T* a, T* b, T* table, int tableStride)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        new()
        {
            Layout = layout,
            Plan = plan,
            A = a,
            B = b,
            Table = table,
            TableStride = tableStride,
        };

    /// <summary>Adds chunk <paramref name="chunk"/>'s <paramref name="slots"/> to the totals of their channels.</summary>
    private static void Merge(in ChunkPlan plan, int chunk, ChannelAccumulator* slots, Span<ChannelAccumulator> totals)
    {
        int c = plan.FirstChannel(chunk);
        for (int slot = 0; slot < plan.SlotCount(chunk); slot++)
        {
            totals[c].Add(slots[slot]);
            if (++c == totals.Length)
            {
                c = 0;
            }
        }
    }

    /// <summary>
    /// Vectors per period of the flat walk for rows of <paramref name="channels"/> (one channel cycle in whole vectors),
    /// or 0 when the cycle is longer than <see cref="MaxPeriodVectors"/> vectors (such rows go down column groups or
    /// through the L1 buffer).
    /// </summary>
    public static int FlatPeriodVectors<T>(int channels)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int width = Vector<T>.Count;
        int periodVectors = channels / PageAliasing.GcdWithPowerOfTwo(channels, width);
        return periodVectors <= MaxPeriodVectors ? periodVectors : 0;
    }

    /// <summary>
    /// Vectors per period of the short path (<see cref="TryShortRows"/>) for <paramref name="shape"/> with channels on
    /// <paramref name="axis"/>, or 0 when it does not apply: the channels must be the last axis of a row-major
    /// contiguous view of at most <see cref="FoldLength"/> rows, with a flat cycle (<see cref="FlatPeriodVectors"/>).
    /// </summary>
    public static int ShortRowsPeriod<T>(TensorShape shape, int axis, out int rows)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int channels = shape.Lengths[axis];
        long count = shape.ElementCount / channels;
        rows = (int)Math.Min(count, int.MaxValue);
        return axis == shape.Rank - 1 && count <= FoldLength && shape.IsRowMajorContiguous ? FlatPeriodVectors<T>(channels) : 0;
    }

    /// <summary>
    /// The sums of operator <typeparamref name="TOp"/> over <paramref name="rows"/> (1 to <see cref="FoldLength"/>)
    /// contiguous rows of <paramref name="channels"/> channels whose cycle is flat (<paramref name="periodVectors"/> =
    /// <see cref="FlatPeriodVectors"/>, not 0), at <paramref name="a"/> (and <paramref name="b"/>), around
    /// <paramref name="high"/> (C values and then <see cref="CoefficientTable{T}.Wrap"/> more that repeat the row's
    /// start), into <paramref name="sum"/> and <paramref name="sum2"/> (C each, cleared here). This is the whole of
    /// <see cref="AccumulateRows"/> for such a tensor, which is one chunk and one block for any thread count: the same
    /// loop and the same additions, without the layout, the plan and the accumulator slots. For a checked operator,
    /// returns false when a channel's block fails the cancellation test of
    /// <see cref="ChannelAccumulator.TryAddShifted"/>; the caller then takes the general path, which recomputes it exactly.
    /// </summary>
    [SkipLocalsInit] // the partials are written by the loop before they are read
    public static bool TryShortRows<T, TOp>(T* a, T* b, int rows, int channels, int periodVectors, T* high, double* sum, double* sum2)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IChannelSums<T>
    {
        int* phases = stackalloc int[MaxPeriodVectors];
        byte* partialBytes = stackalloc byte[(2 * MaxPeriodVectors * Vector512<byte>.Count) + Vector512<byte>.Count];
        T* partial = (T*)(((nint)partialBytes + (Vector512<byte>.Count - 1)) & ~(nint)(Vector512<byte>.Count - 1));
        new Span<double>(sum, channels).Clear();
        new Span<double>(sum2, channels).Clear();
        FlatStretch<T, TOp>(a, b, (long)rows * channels, channels, periodVectors, high, phases, partial, sum, sum2);
        return !TOp.Checked || AllAccepted(rows, sum, sum2, channels);
    }

    /// <summary>
    /// The sums of operator <typeparamref name="TOp"/> over a tensor of rows of channels (view 0 at <paramref name="a"/>,
    /// view 1 at <paramref name="b"/>) whose every chunk is one check window (<see cref="HasWindowChunks"/> says so and
    /// gives <paramref name="plan"/>): each chunk's walk of <see cref="AccumulateRows"/> leaves its double sums in its own
    /// 2·C doubles at <paramref name="sums"/> (S1 of each of the C channels, then S2; chunk k at k·2·C), and then every
    /// later chunk's sums are added to chunk 0's in chunk order, so <paramref name="sums"/> ends with the tensor's sums.
    /// Those are the additions of <see cref="Run"/> in the same order, for any thread count (an accumulator adds its
    /// window to sums that start at +0, which only turns −0 into +0; the callers add to +0 once at the end, with the
    /// same bits), without the per-channel accumulators that are cleared, filled, merged and read back: that bookkeeping
    /// was about 0.8 µs of a [256, 256] training step here. For a checked operator, returns false when a channel of
    /// any chunk fails the cancellation test of <see cref="ChannelAccumulator.TryAddShifted"/>, and the caller then takes
    /// <see cref="Run"/>, which recomputes that window exactly; true otherwise.
    /// </summary>
    public static bool TryWindowChunks<T, TOp>(
        in ChannelLayout layout, in ChunkPlan plan, T* a, T* b, T* table, int tableStride, double* sums, int threads)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IChannelSums<T>
    {
        Debug.Assert(IsWindowPlan(plan, layout.Channels), "TryWindowChunks needs chunks of one window each (HasWindowChunks).");
        var job = NewJob(layout, plan, a, b, table, tableStride);
        job.WindowSums = sums;
        WorkerPool.Run(&WindowChunk<T, TOp>, &job, plan.Chunks, threads);

        if (job.Refused)
        {
            return false;
        }

        int length = 2 * layout.Channels;
        for (int chunk = 1; chunk < plan.Chunks; chunk++)
        {
            AddTo(sums, sums + ((long)chunk * length), length);
        }

        return true;
    }

    /// <summary>
    /// True when <see cref="TryWindowChunks"/> takes <paramref name="layout"/>: rows of channels (channels inner) whose
    /// chunks hold at most <see cref="CheckRows"/> rows each, with the sums of all chunks within
    /// <see cref="MaxWindowSums"/> doubles; <paramref name="plan"/> is its chunk plan either way.
    /// </summary>
    public static bool HasWindowChunks(in ChannelLayout layout, out ChunkPlan plan)
    {
        plan = ChunkPlan.For(layout);
        return IsWindowPlan(plan, layout.Channels);
    }

    private static bool IsWindowPlan(in ChunkPlan plan, int channels) =>
        plan.Rows && plan.End(0) <= CheckRows && (long)plan.Chunks * 2 * channels <= MaxWindowSums;

    /// <summary>One chunk of <see cref="TryWindowChunks"/>, on whichever thread of the pool takes it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WindowChunk<T, TOp>(void* state, int chunk)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IChannelSums<T> =>
        AccumulateRows<T, TOp>(ref Unsafe.AsRef<SumJob<T>>(state), chunk);

    /// <summary><paramref name="total"/>[i] += <paramref name="part"/>[i] for i &lt; <paramref name="length"/>, in vectors (each lane one IEEE addition).</summary>
    private static void AddTo(double* total, double* part, int length)
    {
        int i = 0;
        for (; i + Vector256<double>.Count <= length; i += Vector256<double>.Count)
        {
            (Vector256.Load(total + i) + Vector256.Load(part + i)).Store(total + i);
        }

        for (; i < length; i++)
        {
            total[i] += part[i];
        }
    }

    /// <summary>The test of <see cref="ChannelAccumulator.TryAddShifted"/> (S1² ≤ share·n·S2) for every channel, four at a time.</summary>
    private static bool AllAccepted(long count, double* sum, double* sum2, int channels)
    {
        double share = ChannelAccumulator.AcceptedShare * count;
        int c = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var shares = Vector256.Create(share);
            for (; c + 4 <= channels; c += 4)
            {
                var s1 = Vector256.Load(sum + c);
                if (Vector256.GreaterThanAny(s1 * s1, shares * Vector256.Load(sum2 + c)))
                {
                    return false;
                }
            }
        }

        for (; c < channels; c++)
        {
            if (sum[c] * sum[c] > share * sum2[c])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The managed accumulation of one chunk with operator <typeparamref name="TOp"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Accumulate<T, TOp>(ref SumJob<T> job, int chunk)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IChannelSums<T>
    {
        if (job.Plan.Rows)
        {
            AccumulateRows<T, TOp>(ref job, chunk);
        }
        else
        {
            AccumulateRuns<T, TOp>(ref job, chunk);
        }
    }

    /// <summary>Exact (mean, M2) of <paramref name="block"/>: mean in double, then the corrected two-pass sum of squares.</summary>
    public static (double Mean, double M2) ExactMoments<T>(ReadOnlySpan<T> block)
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

    /// <summary>
    /// Exact (mean, M2) of channel <paramref name="channel"/> of view 0 over rows [<paramref name="firstRow"/>,
    /// <paramref name="firstRow"/> + <paramref name="rows"/>) of a channels-inner layout.
    /// </summary>
    public static (double Mean, double M2) ExactColumn<T>(in ChannelLayout layout, T* a, long firstRow, int rows, int channel)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var column = ArrayPool<double>.Shared.Rent(rows);
        try
        {
            var cursor = new OuterCursor(layout, firstRow);
            for (int r = 0; r < rows; r++)
            {
                column[r] = double.CreateTruncating(a[cursor.Offset(0) + channel]);
                cursor.Advance(1);
            }

            return ExactMoments<double>(column.AsSpan(0, rows));
        }
        finally
        {
            ArrayPool<double>.Shared.Return(column);
        }
    }

    /// <summary>Hands a block's sums to a slot: checked for cancellation (<paramref name="refused"/> when the caller must recompute it exactly) or added as they are.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Commit<TOp, T>(ref ChannelAccumulator slot, long count, double s1, double s2, out bool refused)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IChannelSums<T>
    {
        refused = false;
        if (!TOp.Checked)
        {
            slot.AddSums(count, s1, s2);
        }
        else if (!slot.TryAddShifted(count, s1, s2))
        {
            refused = true;
        }
    }

    /// <summary>
    /// The common case of <see cref="Commit"/> in vectors: adds the sums of channels 0, 1, … four at a time while no
    /// channel of the four is refused (the same test as <see cref="ChannelAccumulator.TryAddShifted"/>, lane by lane);
    /// returns the first channel left for the scalar loop.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int CommitAccepted<TOp, T>(ChannelAccumulator* slots, long count, double* sum, double* sum2, int channels)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IChannelSums<T>
    {
        int c = 0;
        if (!Vector256.IsHardwareAccelerated)
        {
            return c;
        }

        var share = Vector256.Create(ChannelAccumulator.AcceptedShare * count);
        for (; c + 4 <= channels; c += 4)
        {
            var s1 = Vector256.Load(sum + c);
            if (TOp.Checked && Vector256.GreaterThanAny(s1 * s1, share * Vector256.Load(sum2 + c)))
            {
                break;
            }

            for (int k = c; k < c + 4; k++)
            {
                slots[k].AddSums(count, sum[k], sum2[k]);
            }
        }

        return c;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunChunk<T>(void* state, int chunk)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ref var job = ref Unsafe.AsRef<SumJob<T>>(state);
        if (chunk > 0)
        {
            // Chunk 0's slots are the totals, cleared by Run.
            new Span<ChannelAccumulator>(job.SlotsOf(chunk), job.Plan.SlotsPerChunk).Clear();
        }

        job.Chunk(ref job, chunk);
    }

    /// <summary>
    /// Calls <paramref name="visitor"/> for each (outer, channel) run of <paramref name="chunk"/> with its slot: the one
    /// walk over runs every channels-outer reduction uses.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void WalkRuns<T, TVisitor>(ref SumJob<T> job, int chunk, ref TVisitor visitor)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TVisitor : struct, IRunVisitor<T>
    {
        ref readonly var layout = ref job.Layout;
        int channels = layout.Channels;
        int inner = layout.Inner;
        long strideA = layout.ChannelStride(0);
        long strideB = layout.ChannelStride(1);
        long first = job.Plan.First(chunk);
        long end = job.Plan.End(chunk);
        var slots = job.SlotsOf(chunk);
        int c = (int)(first % channels);
        int slot = 0;
        var cursor = new OuterCursor(layout, first / channels);
        for (long pair = first; pair < end;)
        {
            // The channels left at this outer position, their runs a channel stride apart: pointers step, and the
            // cursor moves once per outer position (NCHW [256,256,14,14] has 65536 runs of 196 elements).
            int count = (int)Math.Min(channels - c, end - pair);
            T* a = job.A + cursor.Offset(0) + (c * strideA);
            T* b = job.B + cursor.Offset(1) + (c * strideB);
            for (int k = 0; k < count; k++, a += strideA, b += strideB)
            {
                visitor.Run(a, b, inner, c + k, ref slots[slot]);
                if (++slot == channels)
                {
                    slot = 0;
                }
            }

            pair += count;
            c += count;
            if (c == channels)
            {
                c = 0;
                cursor.Advance(1);
            }
        }
    }

    /// <summary>
    /// Runs of one channel (<see cref="RunLoop"/>), checked every <see cref="CheckRows"/> vectors: through
    /// <see cref="ContiguousRuns"/> when the chunk's runs follow one another in memory and each is one check window,
    /// otherwise through <see cref="WalkRuns"/>; the same sums and commits in the same order either way.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AccumulateRuns<T, TOp>(ref SumJob<T> job, int chunk)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IChannelSums<T>
    {
        ref readonly var layout = ref job.Layout;
        bool fromMemory = layout.CountPerChannel * layout.Channels * sizeof(T) > ColumnGroupBytes;
        if (layout.Inner <= CheckRows * Vector<T>.Count && RunsFollowEachOther(layout))
        {
            ContiguousRuns<T, TOp>(ref job, chunk, fromMemory);
            return;
        }

        var visitor = new RunSums<T, TOp>(job.Table, fromMemory);
        WalkRuns(ref job, chunk, ref visitor);
    }

    /// <summary>
    /// True when, in both views, run (o, c) + 1 starts where run (o, c) ends: channel stride = inner and, with an outer
    /// axis, outer stride = C·inner (NCHW, and NCHW memory seen through a permutation as NHWC, are such).
    /// </summary>
    private static bool RunsFollowEachOther(in ChannelLayout layout)
    {
        long plane = (long)layout.Channels * layout.Inner;
        return layout.ChannelStride(0) == layout.Inner && layout.ChannelStride(1) == layout.Inner && layout.OuterRank <= 1
            && (layout.OuterRank == 0 || (layout.OuterStride(0, 0) == plane && layout.OuterStride(1, 0) == plane));
    }

    /// <summary>
    /// <see cref="WalkRuns"/> with <see cref="RunSums{T, TOp}"/> for runs that follow one another in memory, each at
    /// most one check window long: one pointer step per run and the rare paths (a refused run) out of line, so the JIT
    /// keeps the loop's few values in registers across the run call. The general walk, with the visitor's state and the
    /// outer cursor live across that call, kept about twenty in stack slots, and that cost the moments of NCHW
    /// [256,256,14,14] from memory 5–10% of their time (0.90–0.95 with this loop, toggled inside one process). The same
    /// <see cref="RunLoop"/> calls and commits in the same order, so the same bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void ContiguousRuns<T, TOp>(ref SumJob<T> job, int chunk, bool fromMemory)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IChannelSums<T>
    {
        ref readonly var layout = ref job.Layout;
        int channels = layout.Channels;
        int inner = layout.Inner;
        long first = job.Plan.First(chunk);
        long end = job.Plan.End(chunk);
        T* a = job.A + layout.Offset(0) + (first * inner);
        T* b = job.B + layout.Offset(1) + (first * inner);
        T* shifts = job.Table;
        var slots = job.SlotsOf(chunk);
        bool prefetch = !TOp.ReadsSecond && fromMemory && Sse.IsSupported && inner * sizeof(T) <= PrefetchRunBytes;
        int c = (int)(first % channels);
        int slot = 0;
        for (long pair = first; pair < end; pair++, a += inner, b += inner)
        {
            if (prefetch)
            {
                PrefetchAfter(a, inner);
            }

            (double s1, double s2) = Vector512.IsHardwareAccelerated && !TOp.ReadsSecond
                ? RunLoop<T, TOp, Vector512<T>, Width512<T>>(a, b, 0, inner, shifts[c])
                : RunLoop<T, TOp, Vector<T>, WidthVector<T>>(a, b, 0, inner, shifts[c]);
            Commit<TOp, T>(ref slots[slot], inner, s1, s2, out bool refused);
            if (refused)
            {
                AddExactRun(a, inner, ref slots[slot]);
            }

            if (++c == channels)
            {
                c = 0;
            }

            if (++slot == channels)
            {
                slot = 0;
            }
        }
    }

    /// <summary>
    /// Asks for the lines of the <paramref name="length"/> elements that start two pages after the run at
    /// <paramref name="a"/> ends (see <see cref="RunSums{T, TOp}.Run"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PrefetchAfter<T>(T* a, int length)
        where T : unmanaged
    {
        byte* ahead = (byte*)(a + length) + PrefetchDistanceBytes;
        for (int offset = 0; offset < length * sizeof(T); offset += CacheLineBytes)
        {
            Sse.Prefetch0(ahead + offset);
        }
    }

    /// <summary>Adds the exact moments of a run that failed the cancellation test (out of line: it is rare).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void AddExactRun<T>(T* a, int length, ref ChannelAccumulator slot)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (mean, m2) = ExactMoments(new ReadOnlySpan<T>(a, length));
        slot.AddExact(length, mean, m2);
    }

    /// <summary>The managed reduction of one run.</summary>
    private readonly struct RunSums<T, TOp> : IRunVisitor<T>
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IChannelSums<T>
    {
        private readonly T* _table;
        private readonly bool _fromMemory;

        /// <param name="table">The shifts.</param>
        /// <param name="fromMemory">True when the tensor is larger than the caches (<see cref="ColumnGroupBytes"/>).</param>
        public RunSums(T* table, bool fromMemory)
        {
            _table = table;
            _fromMemory = fromMemory;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Run(T* a, T* b, int length, int channel, ref ChannelAccumulator slot)
        {
            int checkLength = CheckRows * Vector<T>.Count;
            T high = _table[channel];
            if (!TOp.ReadsSecond && _fromMemory && Sse.IsSupported && length * sizeof(T) <= PrefetchRunBytes)
            {
                // Short runs (NCHW with small planes) read one after another, each with its own setup and reductions:
                // from memory, asking for the lines two pages ahead kept more of them in flight (moments of
                // [256,256,14,14] NCHW about 10% faster here, and 30% against none in 512-bit runs; longer runs and the
                // two-input gradient sums gained nothing). In cache the prefetches only cost ([8,256,14,14]: about 7%).
                PrefetchAfter(a, length);
            }

            for (int checkStart = 0; checkStart < length; checkStart += checkLength)
            {
                int checkEnd = Math.Min(length, checkStart + checkLength);
                // 512-bit vectors where the hardware has them, for one input: half the instructions per run (moments
                // of [256,256,14,14] NCHW from memory about 10% faster, in alternated runs). Runs of two inputs stay at
                // the platform width: there, with most runs starting off a 64-byte line, the NCHW backward pass was
                // about 7% slower in 512 bits.
                (double s1, double s2) = Vector512.IsHardwareAccelerated && !TOp.ReadsSecond
                    ? RunLoop<T, TOp, Vector512<T>, Width512<T>>(a, b, checkStart, checkEnd, high)
                    : RunLoop<T, TOp, Vector<T>, WidthVector<T>>(a, b, checkStart, checkEnd, high);
                Commit<TOp, T>(ref slot, checkEnd - checkStart, s1, s2, out bool refused);
                if (refused)
                {
                    AddExactRun(a + checkStart, checkEnd - checkStart, ref slot);
                }
            }
        }
    }

    /// <summary>
    /// The sums of elements [<paramref name="start"/>, <paramref name="end"/>) of one run around
    /// <paramref name="shift"/>, in vectors of width <typeparamref name="TWidth"/>: four chains folded every
    /// <see cref="FoldLength"/> steps (pairwise in T, then in double). What is left after the last whole period joins
    /// the chains of the last block when that block is short (one vector per chain, the last partial vector read
    /// overlapping the one before with the lanes already counted masked off), so a short run (a 14×14 plane is 196
    /// elements) is one block, one fold and no element-by-element tail; runs shorter than a vector are summed element
    /// by element.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static (double S1, double S2) RunLoop<T, TOp, TVector, TWidth>(T* a, T* b, int start, int end, T shift)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IChannelSums<T>
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector, T>
    {
        int w = TWidth.Count;
        int step = RunPeriodVectors * w;
        var k = TWidth.Broadcast(shift);
        double s1 = 0;
        double s2 = 0;
        int i = start;
        if (end - start < w)
        {
            for (; i < end; i++)
            {
                s1 += double.CreateTruncating(TOp.First(a[i], b[i], shift, T.Zero));
                s2 += double.CreateTruncating(TOp.Second(a[i], b[i], shift, T.Zero));
            }

            return (s1, s2);
        }

        while (i < end)
        {
            int iterations = Math.Min(FoldLength, (end - i) / step);
            TVector p0 = default, p1 = default, p2 = default, p3 = default;
            TVector q0 = default, q1 = default, q2 = default, q3 = default;
            for (int stop = i + (iterations * step); i < stop; i += step)
            {
                var x0 = TWidth.Load(a + i);
                var x1 = TWidth.Load(a + i + w);
                var x2 = TWidth.Load(a + i + (2 * w));
                var x3 = TWidth.Load(a + i + (3 * w));
                var y0 = TOp.ReadsSecond ? TWidth.Load(b + i) : x0;
                var y1 = TOp.ReadsSecond ? TWidth.Load(b + i + w) : x1;
                var y2 = TOp.ReadsSecond ? TWidth.Load(b + i + (2 * w)) : x2;
                var y3 = TOp.ReadsSecond ? TWidth.Load(b + i + (3 * w)) : x3;
                TOp.Step<TVector, TWidth>(x0, y0, k, ref p0, ref q0);
                TOp.Step<TVector, TWidth>(x1, y1, k, ref p1, ref q1);
                TOp.Step<TVector, TWidth>(x2, y2, k, ref p2, ref q2);
                TOp.Step<TVector, TWidth>(x3, y3, k, ref p3, ref q3);
            }

            if (end - i < step && iterations < FoldLength)
            {
                // What is left (less than one period) joins the chains, at most one more element per lane: a short run
                // folds once instead of twice.
                if (i + w <= end)
                {
                    RemainderVector<T, TOp, TVector, TWidth>(a, b, i, k, ref p0, ref q0);
                    i += w;
                }

                if (i + w <= end)
                {
                    RemainderVector<T, TOp, TVector, TWidth>(a, b, i, k, ref p1, ref q1);
                    i += w;
                }

                if (i + w <= end)
                {
                    RemainderVector<T, TOp, TVector, TWidth>(a, b, i, k, ref p2, ref q2);
                    i += w;
                }

                if (i < end)
                {
                    // The last partial vector is read overlapping the one before, the lanes already counted masked off.
                    var x = TWidth.Load(a + end - w);
                    var y = TOp.ReadsSecond ? TWidth.Load(b + end - w) : x;
                    TVector lastP = default, lastQ = default;
                    TOp.Step<TVector, TWidth>(x, y, k, ref lastP, ref lastQ);
                    int counted = w - (end - i);
                    p3 = TWidth.Add(p3, TWidth.KeepFrom(lastP, counted));
                    q3 = TWidth.Add(q3, TWidth.KeepFrom(lastQ, counted));
                }

                i = end;
            }

            s1 += TWidth.SumWidened(TWidth.Add(TWidth.Add(p0, p1), TWidth.Add(p2, p3)));
            s2 += TWidth.SumWidened(TWidth.Add(TWidth.Add(q0, q1), TWidth.Add(q2, q3)));
        }

        return (s1, s2);
    }

    /// <summary>The vector at <paramref name="a"/> + <paramref name="i"/> (and b) added to one chain of <see cref="RunLoop"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void RemainderVector<T, TOp, TVector, TWidth>(T* a, T* b, int i, TVector k, ref TVector p, ref TVector q)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IChannelSums<T>
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector, T>
    {
        var x = TWidth.Load(a + i);
        var y = TOp.ReadsSecond ? TWidth.Load(b + i) : x;
        TOp.Step<TVector, TWidth>(x, y, k, ref p, ref q);
    }

    /// <summary>
    /// Rows of channels, in blocks of <see cref="FoldLength"/> rows. A stretch of contiguous rows whose channel cycle
    /// fits a period (lcm(C, width) ≤ eight vectors) is read flat with its sums in registers; wider rows of a tensor that
    /// fits in cache (C a multiple of the width) are summed in column groups, also in registers; otherwise each row is
    /// read in memory order with the sums in an L1 buffer. Every <see cref="CheckRows"/> rows the double sums go to the slots.
    /// </summary>
    [SkipLocalsInit] // every buffer below is cleared or written before it is read
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AccumulateRows<T, TOp>(ref SumJob<T> job, int chunk)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IChannelSums<T>
    {
        ref readonly var layout = ref job.Layout;
        int channels = layout.Channels;
        int width = Vector<T>.Count;
        long first = job.Plan.First(chunk);
        long end = job.Plan.End(chunk);
        var slots = job.SlotsOf(chunk);
        int cycle = channels / PageAliasing.GcdWithPowerOfTwo(channels, width) * width;
        int periodVectors = cycle / width;
        bool flat = periodVectors <= MaxPeriodVectors;
        bool wide = Vector512.IsHardwareAccelerated && channels % Vector512<T>.Count == 0;
        bool columns = !flat && channels % width == 0;
        bool inCache = layout.CountPerChannel * channels * sizeof(T) <= ColumnGroupBytes;
        double* window = job.WindowSums == null ? null : job.WindowSums + (2L * channels * chunk);
        double[]? rented = window == null && channels > 1024 ? ArrayPool<double>.Shared.Rent(2 * channels) : null;
        int slack = PageAliasing.PageBytes / sizeof(T);
        T[]? rentedPartial = channels > 1024 ? ArrayPool<T>.Shared.Rent((2 * channels) + slack) : null;
        Span<double> sums = window != null ? new Span<double>(window, 2 * channels) : rented ?? stackalloc double[2 * channels];
        Span<T> rowPartials = rentedPartial ?? stackalloc T[(2 * channels) + slack];
        int* phases = stackalloc int[MaxPeriodVectors];
        // The held column walk's two spilled sums and its aligned copy of a group's shifts, placed away from the rows.
        byte* heldBytes = stackalloc byte[PageAliasing.PageBytes + ((1 + HeldSpillVectors + HeldVectors) * Vector512<byte>.Count)];
        // On a 64-byte line: the loop stores its sums here as whole vectors and Fold reads them back the same way.
        byte* partialBytes = stackalloc byte[(2 * MaxPeriodVectors * Vector512<byte>.Count) + Vector512<byte>.Count];
        T* partial = (T*)(((nint)partialBytes + (Vector512<byte>.Count - 1)) & ~(nint)(Vector512<byte>.Count - 1));
        T* high = job.Table;
        try
        {
            sums.Clear();
            fixed (T* rowBuffer = rowPartials)
            fixed (double* sum = sums)
            {
                double* sum2 = sum + channels;
                var cursor = new OuterCursor(layout, first);
                T* firstRow = job.A + cursor.Offset(0);
                long firstStride = cursor.InnermostStride(0);
                T* rowPartial = null;
                T* spill = null;
                long checkStart = first;
                for (long row = first; row < end;)
                {
                    // A window of CheckRows rows (fold blocks of FoldLength on a grid from `first`) between commits.
                    long windowEnd = Math.Min(end, checkStart + CheckRows);
                    while (row < windowEnd)
                    {
                        long blockEnd = Math.Min(windowEnd, first + ((((row - first) / FoldLength) + 1) * FoldLength));
                        long remaining = cursor.RemainingInInnermost;
                        int stretch = (int)Math.Min(remaining, blockEnd - row);
                        T* a = job.A + cursor.Offset(0);
                        T* b = TOp.ReadsSecond ? job.B + cursor.Offset(1) : a;
                        long sa = cursor.InnermostStride(0);
                        long sb = TOp.ReadsSecond ? cursor.InnermostStride(1) : sa;
                        if (flat && (stretch == 1 || (sa == channels && sb == channels)))
                        {
                            FlatStretch<T, TOp>(a, b, (long)stretch * channels, channels, periodVectors, high, phases, partial, sum, sum2);
                        }
                        else if (columns && (inCache || (sa == channels && sb == channels)))
                        {
                            // In cache a stretch runs on to the window's end, each group walked down all of its fold
                            // blocks before the next group; from memory it ends with the block, and the next band is
                            // asked for while this one is summed.
                            int firstBlock = stretch;
                            if (spill == null && wide)
                            {
                                spill = PageAliasing.AwayFromRows((T*)heldBytes, firstRow, firstStride * sizeof(T), Vector512<byte>.Count);
                            }

                            stretch = inCache ? (int)Math.Min(remaining, windowEnd - row) : stretch;
                            bool prefetch = !inCache && Sse.IsSupported;
                            int misaligned = (int)(((nint)a & (Vector512<byte>.Count - 1)) / sizeof(T));
                            if (wide && misaligned != 0 && sa == channels && sb == channels
                                && (!TOp.ReadsSecond || (((nint)a - (nint)b) & (Vector512<byte>.Count - 1)) == 0))
                            {
                                AlignedColumnGroups<T, TOp>(a, b, stretch, firstBlock, channels, misaligned, high, phases, spill, sum, channels, prefetch);
                            }
                            else if (wide)
                            {
                                ColumnGroups<T, TOp, Vector512<T>, Width512<T>>(
                                    a, b, (nint)sa, (nint)sb, stretch, firstBlock, channels, high, phases, spill, sum, channels, prefetch);
                            }
                            else
                            {
                                ColumnGroups<T, TOp, Vector<T>, WidthVector<T>>(
                                    a, b, (nint)sa, (nint)sb, stretch, firstBlock, channels, high, phases, null, sum, channels, prefetch);
                            }
                        }
                        else
                        {
                            if (rowPartial == null)
                            {
                                rowPartial = PageAliasing.AwayFromRows(rowBuffer, firstRow, firstStride * sizeof(T), sizeof(T));
                            }

                            RowsInOrder<T, TOp>(a, b, (nint)sa, (nint)sb, stretch, channels, high, rowPartial, sum, sum2);
                        }

                        cursor.Advance(stretch);
                        row += stretch;
                    }

                    if (window != null && row == end)
                    {
                        // A chunk of one window (TryWindowChunks): the sums stay for the caller, tested as a commit
                        // would test them. Only ever set, so chunks on other threads cannot clear another's refusal.
                        if (TOp.Checked && !AllAccepted(row - checkStart, sum, sum2, channels))
                        {
                            job.Refused = true;
                        }
                    }
                    else if (row - checkStart >= CheckRows || row == end)
                    {
                        int rows = (int)(row - checkStart);
                        for (int c = CommitAccepted<TOp, T>(slots, rows, sum, sum2, channels); c < channels; c++)
                        {
                            Commit<TOp, T>(ref slots[c], rows, sum[c], sum2[c], out bool refused);
                            if (refused)
                            {
                                var (mean, m2) = ExactColumn(layout, job.A, checkStart, rows, c);
                                slots[c].AddExact(rows, mean, m2);
                            }
                        }

                        sums.Clear();
                        checkStart = row;
                    }
                }
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<double>.Shared.Return(rented);
            }

            if (rentedPartial is not null)
            {
                ArrayPool<T>.Shared.Return(rentedPartial);
            }
        }
    }

    /// <summary>A flat stretch of whole rows: periods of one channel cycle, lanes mapped back to channel f mod C.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void FlatStretch<T, TOp>(
        T* a, T* b, long length, int channels, int periodVectors, T* high, int* phases, T* partial, double* sum, double* sum2)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IChannelSums<T>
    {
        int width = Vector<T>.Count;
        int period = periodVectors * width;
        // k·width mod C, stepped without a division per vector (a [32, 64] call is short enough for those to show).
        for (int k = 0, phase = 0; k < periodVectors; k++)
        {
            phases[k] = phase;
            phase += width;
            while (phase >= channels)
            {
                phase -= channels;
            }
        }

        int periods = (int)(length / period);
        if (periodVectors == MaxPeriodVectors)
        {
            SumPeriods<T, TOp, Vector<T>, WidthVector<T>, FullGroup>(a, b, period, period, periods, periodVectors, high, phases, partial);
        }
        else
        {
            SumPeriods<T, TOp, Vector<T>, WidthVector<T>, AnyGroup>(a, b, period, period, periods, periodVectors, high, phases, partial);
        }
        T* partial2 = partial + (MaxPeriodVectors * width);
        if (period == channels)
        {
            Fold(partial, sum, channels);
            Fold(partial2, sum2, channels);
        }
        else
        {
            for (int f = 0, c = 0; f < period; f++)
            {
                sum[c] += double.CreateTruncating(partial[f]);
                sum2[c] += double.CreateTruncating(partial2[f]);
                if (++c == channels)
                {
                    c = 0;
                }
            }
        }

        for (long f = (long)periods * period, c = 0; f < length; f++)
        {
            sum[c] += double.CreateTruncating(TOp.First(a[f], b[f], high[c], T.Zero));
            sum2[c] += double.CreateTruncating(TOp.Second(a[f], b[f], high[c], T.Zero));
            if (++c == channels)
            {
                c = 0;
            }
        }
    }

    /// <summary>
    /// Rows <paramref name="strideA"/> apart, C a multiple of the vector width <typeparamref name="TWidth"/>: groups of
    /// up to eight vectors of channels walked down the rows with their sums in registers (<see cref="SumPeriods"/>), or
    /// at 512 bits with <paramref name="spill"/> given, groups of sixteen or fifteen (<see cref="HeldGroup"/>; for
    /// two-input operators <see cref="HeldPairGroup"/>, from memory only; each group's shifts copied to the lines after
    /// the spill slots),
    /// added from there to the double sums at <paramref name="sum"/> (S1) and <paramref name="sum"/> +
    /// <paramref name="sumStride"/> (S2). In cache this is 2–2.6× faster than <see cref="RowsInOrder"/>, whose per-vector
    /// load and store of two partial sums bound it at about 20 GB/s. From memory the strided walk alone leaves the
    /// hardware prefetcher behind; with <paramref name="prefetch"/> (contiguous rows only) each group's walk also asks
    /// for its share of the next <paramref name="rows"/> rows in memory order, so the next band arrives while this one
    /// is summed (moments of 51 MB of [N, 256] rows: 1.3× the read floor here, against 2.2× in memory order; the same
    /// prefetch in cache, or rows ahead in column order, was slower). The rows are fold blocks: the first
    /// <paramref name="firstBlock"/> rows, then <see cref="FoldLength"/> at a time; each group goes down all of them
    /// (its float sums added to the double sums after each block) before the next group, so the double sums of a
    /// channel take the blocks in row order, as block after block would. With <paramref name="prefetch"/> the rows are
    /// one block, and a held group as wide as all the channels does not prefetch (it reads the rows in memory order).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void ColumnGroups<T, TOp, TVector, TWidth>(
        T* a, T* b, nint strideA, nint strideB, int rows, int firstBlock, int channels, T* high, int* phases, T* spill, double* sum, int sumStride,
        bool prefetch)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IChannelSums<T>
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector, T>
    {
        Debug.Assert(!prefetch || rows <= firstBlock, "a prefetching walk is one fold block");
        int width = TWidth.Count;
        for (int k = 0; k < MaxPeriodVectors; k++)
        {
            phases[k] = k * width;
        }

        // Two-input sums hold groups from memory only: in cache they measured no faster than groups of eight.
        bool held = (!TOp.ReadsSecond || prefetch) && typeof(TVector) == typeof(Vector512<T>) && spill != null
            && channels > MaxPeriodVectors * width;
        T* heldShifts = spill + (HeldSpillVectors * width);

        for (int group = 0, vectors; group < channels; group += vectors * width)
        {
            int remaining = (channels - group) / width;
            // From memory, one-input groups of nine to fourteen vectors are held too (a row of 144–224 floats, or what is
            // left of a wider one): the moments of NHWC rows of 144 floats read 1.21–1.28× the read floor so, against
            // 1.69–1.70× in groups of eight and one; rows of 192 1.43–1.46× against 1.51–1.58×.
            int least = prefetch && !TOp.ReadsSecond ? MaxPeriodVectors + 1 : HeldVectors - 1;
            vectors = held && remaining >= least ? Math.Min(HeldVectors, remaining) : Math.Min(MaxPeriodVectors, remaining);
            if (vectors > MaxPeriodVectors)
            {
                // The held walk loads the shifts with every row: a copy on whole lines keeps those loads from splitting.
                new ReadOnlySpan<T>(high + group, vectors * width).CopyTo(new Span<T>(heldShifts, vectors * width));
            }

            // A held group as wide as the rows reads them in memory order, which the hardware prefetcher follows.
            bool ask = prefetch && (vectors <= MaxPeriodVectors || vectors * width < channels);
            byte* ahead = ask ? (byte*)(a + (rows * strideA) + ((long)group * rows)) : null;
            byte* aheadB = ask && TOp.ReadsSecond ? (byte*)(b + (rows * strideB) + ((long)group * rows)) : null;
            for (int start = 0, length = Math.Min(firstBlock, rows); start < rows; start += length, length = Math.Min(FoldLength, rows - start))
            {
                T* ga = a + group + (start * strideA);
                T* gb = b + group + (start * strideB);
                if (vectors >= HeldVectors - 1 && TOp.ReadsSecond)
                {
                    if (vectors == HeldVectors)
                    {
                        HeldPairGroup<T, TOp, FullGroup>(
                            ga, gb, strideA, strideB, length, heldShifts, spill, ahead, aheadB, vectors * width * sizeof(T), sum + group, sumStride);
                    }
                    else
                    {
                        HeldPairGroup<T, TOp, AnyGroup>(
                            ga, gb, strideA, strideB, length, heldShifts, spill, ahead, aheadB, vectors * width * sizeof(T), sum + group, sumStride);
                    }
                }
                else if (vectors == HeldVectors)
                {
                    HeldGroup<T, TOp, FullGroup>(ga, strideA, length, vectors, heldShifts, spill, ahead, vectors * width * sizeof(T), sum + group, sumStride);
                }
                else if (vectors > MaxPeriodVectors)
                {
                    HeldGroup<T, TOp, AnyGroup>(ga, strideA, length, vectors, heldShifts, spill, ahead, vectors * width * sizeof(T), sum + group, sumStride);
                }
                else if (vectors == MaxPeriodVectors)
                {
                    SumPeriods<T, TOp, TVector, TWidth, FullGroup>(
                        ga, gb, strideA, strideB, length, vectors, high + group, phases, null, ahead, aheadB, vectors * width * sizeof(T),
                        sum + group, sumStride);
                }
                else
                {
                    SumPeriods<T, TOp, TVector, TWidth, AnyGroup>(
                        ga, gb, strideA, strideB, length, vectors, high + group, phases, null, ahead, aheadB, vectors * width * sizeof(T),
                        sum + group, sumStride);
                }
            }
        }
    }

    /// <summary>
    /// Sixteen (<typeparamref name="TGroup"/> = <see cref="FullGroup"/>) or <paramref name="vectors"/> (nine to
    /// fifteen, tested per vector from the tenth on: fifteen for a row of sixteen off a line in cache, any from memory)
    /// 512-bit vectors of channels of a one-input operator (the moments) walked down <paramref name="rows"/> rows <paramref name="strideA"/> apart (one fold
    /// block), their sums in registers and then added widened to the double sums at <paramref name="sum"/> and
    /// <paramref name="sum"/> + <paramref name="sumStride"/>. A row of C = 256 floats (or 128 doubles) is one such group,
    /// so contiguous rows are read in memory order, which the hardware prefetcher follows; groups of eight read the halves
    /// of each row in turn, from memory with the next band prefetched. Thirty-two sums and the loaded data do not fit the
    /// 32 vector registers, so the sixteenth vector's sums live in <paramref name="spill"/> (two vectors on a line, placed
    /// away from the rows' low address bits) and are loaded and stored once per row: the same operations in the same
    /// order, so the bits are those of <see cref="SumPeriods"/>. The shifts come from <paramref name="high"/>, an aligned
    /// copy, loaded with each row as the subtraction's memory operand. Measured against groups of eight (paired builds,
    /// both orders): a [256, 256] training step 0.84–0.93 of its time, [1024, 512] 0.95–0.98; the moments of
    /// [50176, 256] rows from memory 1.09–1.12× the read floor against 1.25–1.42×, and 1.30–1.38× against 1.57–1.65×
    /// with the rows 12 bytes past a line. Two-input operators take <see cref="HeldPairGroup"/> instead: with dy loaded
    /// too, this layout made the JIT spill four to six sums per row ([1024, 512] backward 1.02–1.05 of its time).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void HeldGroup<T, TOp, TGroup>(
        T* a, nint strideA, int rows, int vectors, T* high, T* spill, byte* ahead, int aheadStep, double* sum, int sumStride)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IChannelSums<T>
        where TGroup : struct, IGroupSize
    {
        Debug.Assert(!TOp.ReadsSecond, "a held group sums one input");
        int w = Vector512<T>.Count;
        bool sixteen = TGroup.Full;
        Vector512<T> p0 = default, p1 = default, p2 = default, p3 = default, p4 = default, p5 = default, p6 = default, p7 = default;
        Vector512<T> p8 = default, p9 = default, p10 = default, p11 = default, p12 = default, p13 = default, p14 = default;
        Vector512<T> q0 = default, q1 = default, q2 = default, q3 = default, q4 = default, q5 = default, q6 = default, q7 = default;
        Vector512<T> q8 = default, q9 = default, q10 = default, q11 = default, q12 = default, q13 = default, q14 = default;
        new Span<T>(spill, 2 * w).Clear();
        for (int r = 0; r < rows; r++, a += strideA)
        {
            if (ahead != null)
            {
                for (int line = 0; line < aheadStep; line += CacheLineBytes)
                {
                    Sse.Prefetch0(ahead + line);
                }

                ahead += aheadStep;
            }

            HeldLane<T, TOp>(a, a, high, ref p0, ref q0);
            HeldLane<T, TOp>(a + w, a + w, high + w, ref p1, ref q1);
            HeldLane<T, TOp>(a + (2 * w), a + (2 * w), high + (2 * w), ref p2, ref q2);
            HeldLane<T, TOp>(a + (3 * w), a + (3 * w), high + (3 * w), ref p3, ref q3);
            HeldLane<T, TOp>(a + (4 * w), a + (4 * w), high + (4 * w), ref p4, ref q4);
            HeldLane<T, TOp>(a + (5 * w), a + (5 * w), high + (5 * w), ref p5, ref q5);
            HeldLane<T, TOp>(a + (6 * w), a + (6 * w), high + (6 * w), ref p6, ref q6);
            HeldLane<T, TOp>(a + (7 * w), a + (7 * w), high + (7 * w), ref p7, ref q7);
            HeldLane<T, TOp>(a + (8 * w), a + (8 * w), high + (8 * w), ref p8, ref q8);
            if (sixteen || vectors > 9)
            {
                HeldLane<T, TOp>(a + (9 * w), a + (9 * w), high + (9 * w), ref p9, ref q9);
            }

            if (sixteen || vectors > 10)
            {
                HeldLane<T, TOp>(a + (10 * w), a + (10 * w), high + (10 * w), ref p10, ref q10);
            }

            if (sixteen || vectors > 11)
            {
                HeldLane<T, TOp>(a + (11 * w), a + (11 * w), high + (11 * w), ref p11, ref q11);
            }

            if (sixteen || vectors > 12)
            {
                HeldLane<T, TOp>(a + (12 * w), a + (12 * w), high + (12 * w), ref p12, ref q12);
            }

            if (sixteen || vectors > 13)
            {
                HeldLane<T, TOp>(a + (13 * w), a + (13 * w), high + (13 * w), ref p13, ref q13);
            }

            if (sixteen || vectors > 14)
            {
                HeldLane<T, TOp>(a + (14 * w), a + (14 * w), high + (14 * w), ref p14, ref q14);
            }

            if (sixteen)
            {
                var p15 = Vector512.Load(spill);
                var q15 = Vector512.Load(spill + w);
                HeldLane<T, TOp>(a + (15 * w), a + (15 * w), high + (15 * w), ref p15, ref q15);
                p15.Store(spill);
                q15.Store(spill + w);
            }
        }

        double* sum2 = sum + sumStride;
        Width512<T>.AddWidened(p0, sum);
        Width512<T>.AddWidened(q0, sum2);
        Width512<T>.AddWidened(p1, sum + w);
        Width512<T>.AddWidened(q1, sum2 + w);
        Width512<T>.AddWidened(p2, sum + (2 * w));
        Width512<T>.AddWidened(q2, sum2 + (2 * w));
        Width512<T>.AddWidened(p3, sum + (3 * w));
        Width512<T>.AddWidened(q3, sum2 + (3 * w));
        Width512<T>.AddWidened(p4, sum + (4 * w));
        Width512<T>.AddWidened(q4, sum2 + (4 * w));
        Width512<T>.AddWidened(p5, sum + (5 * w));
        Width512<T>.AddWidened(q5, sum2 + (5 * w));
        Width512<T>.AddWidened(p6, sum + (6 * w));
        Width512<T>.AddWidened(q6, sum2 + (6 * w));
        Width512<T>.AddWidened(p7, sum + (7 * w));
        Width512<T>.AddWidened(q7, sum2 + (7 * w));
        Width512<T>.AddWidened(p8, sum + (8 * w));
        Width512<T>.AddWidened(q8, sum2 + (8 * w));
        if (sixteen || vectors > 9)
        {
            Width512<T>.AddWidened(p9, sum + (9 * w));
            Width512<T>.AddWidened(q9, sum2 + (9 * w));
        }

        if (sixteen || vectors > 10)
        {
            Width512<T>.AddWidened(p10, sum + (10 * w));
            Width512<T>.AddWidened(q10, sum2 + (10 * w));
        }

        if (sixteen || vectors > 11)
        {
            Width512<T>.AddWidened(p11, sum + (11 * w));
            Width512<T>.AddWidened(q11, sum2 + (11 * w));
        }

        if (sixteen || vectors > 12)
        {
            Width512<T>.AddWidened(p12, sum + (12 * w));
            Width512<T>.AddWidened(q12, sum2 + (12 * w));
        }

        if (sixteen || vectors > 13)
        {
            Width512<T>.AddWidened(p13, sum + (13 * w));
            Width512<T>.AddWidened(q13, sum2 + (13 * w));
        }

        if (sixteen || vectors > 14)
        {
            Width512<T>.AddWidened(p14, sum + (14 * w));
            Width512<T>.AddWidened(q14, sum2 + (14 * w));
        }

        if (sixteen)
        {
            Width512<T>.AddWidened(Vector512.Load(spill), sum + (15 * w));
            Width512<T>.AddWidened(Vector512.Load(spill + w), sum2 + (15 * w));
        }
    }

    /// <summary>
    /// <see cref="HeldGroup"/> for two-input operators (the backward pass's Σdy and Σ(x − m)·dy): sixteen (or fifteen)
    /// vectors of channels of x and dy down <paramref name="rows"/> rows, with the first sums of vectors 0–7 and the
    /// second sums of all sixteen in registers and the first sums of vectors 8–15 in <paramref name="spill"/> (eight
    /// vectors), each loaded, added to and stored once per row: twenty-four sums and the loaded data fit the 32
    /// registers without the JIT spilling more (holding all but one in registers made it spill four to six per row).
    /// The same operations in the same order as <see cref="SumPeriods"/>, so the same bits. A bare loop of this kind
    /// summed [50176, 256] rows of x and dy from memory in memory order at 0.79–0.86× two plain reads, against
    /// 0.96–0.99× for groups of eight with the next band prefetched. Used from memory only: in cache, paired against
    /// groups of eight, [1024, 512] backward read 0.98–1.02 of its time on one thread and about 1.05 on two, and the
    /// bare bound 1.18–1.21× its floor against 1.05–1.18×.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void HeldPairGroup<T, TOp, TGroup>(
        T* a, T* b, nint strideA, nint strideB, int rows, T* high, T* spill, byte* ahead, byte* aheadB, int aheadStep, double* sum, int sumStride)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IChannelSums<T>
        where TGroup : struct, IGroupSize
    {
        Debug.Assert(TOp.ReadsSecond, "a held pair group sums two inputs");
        int w = Vector512<T>.Count;
        bool sixteen = TGroup.Full;
        Vector512<T> p0 = default, p1 = default, p2 = default, p3 = default, p4 = default, p5 = default, p6 = default, p7 = default;
        Vector512<T> q0 = default, q1 = default, q2 = default, q3 = default, q4 = default, q5 = default, q6 = default, q7 = default;
        Vector512<T> q8 = default, q9 = default, q10 = default, q11 = default, q12 = default, q13 = default, q14 = default, q15 = default;
        new Span<T>(spill, HeldSpillVectors * w).Clear();
        for (int r = 0; r < rows; r++, a += strideA, b += strideB)
        {
            if (ahead != null)
            {
                for (int line = 0; line < aheadStep; line += CacheLineBytes)
                {
                    Sse.Prefetch0(ahead + line);
                    Sse.Prefetch0(aheadB + line);
                }

                ahead += aheadStep;
                aheadB += aheadStep;
            }

            HeldLane<T, TOp>(a, b, high, ref p0, ref q0);
            HeldLane<T, TOp>(a + w, b + w, high + w, ref p1, ref q1);
            HeldLane<T, TOp>(a + (2 * w), b + (2 * w), high + (2 * w), ref p2, ref q2);
            HeldLane<T, TOp>(a + (3 * w), b + (3 * w), high + (3 * w), ref p3, ref q3);
            HeldLane<T, TOp>(a + (4 * w), b + (4 * w), high + (4 * w), ref p4, ref q4);
            HeldLane<T, TOp>(a + (5 * w), b + (5 * w), high + (5 * w), ref p5, ref q5);
            HeldLane<T, TOp>(a + (6 * w), b + (6 * w), high + (6 * w), ref p6, ref q6);
            HeldLane<T, TOp>(a + (7 * w), b + (7 * w), high + (7 * w), ref p7, ref q7);
            SpilledFirstLane<T, TOp>(a + (8 * w), b + (8 * w), high + (8 * w), spill, ref q8);
            SpilledFirstLane<T, TOp>(a + (9 * w), b + (9 * w), high + (9 * w), spill + w, ref q9);
            SpilledFirstLane<T, TOp>(a + (10 * w), b + (10 * w), high + (10 * w), spill + (2 * w), ref q10);
            SpilledFirstLane<T, TOp>(a + (11 * w), b + (11 * w), high + (11 * w), spill + (3 * w), ref q11);
            SpilledFirstLane<T, TOp>(a + (12 * w), b + (12 * w), high + (12 * w), spill + (4 * w), ref q12);
            SpilledFirstLane<T, TOp>(a + (13 * w), b + (13 * w), high + (13 * w), spill + (5 * w), ref q13);
            SpilledFirstLane<T, TOp>(a + (14 * w), b + (14 * w), high + (14 * w), spill + (6 * w), ref q14);
            if (sixteen)
            {
                SpilledFirstLane<T, TOp>(a + (15 * w), b + (15 * w), high + (15 * w), spill + (7 * w), ref q15);
            }
        }

        double* sum2 = sum + sumStride;
        Width512<T>.AddWidened(p0, sum);
        Width512<T>.AddWidened(p1, sum + w);
        Width512<T>.AddWidened(p2, sum + (2 * w));
        Width512<T>.AddWidened(p3, sum + (3 * w));
        Width512<T>.AddWidened(p4, sum + (4 * w));
        Width512<T>.AddWidened(p5, sum + (5 * w));
        Width512<T>.AddWidened(p6, sum + (6 * w));
        Width512<T>.AddWidened(p7, sum + (7 * w));
        for (int v = 8; v < (sixteen ? HeldVectors : HeldVectors - 1); v++)
        {
            Width512<T>.AddWidened(Vector512.Load(spill + ((v - 8) * w)), sum + (v * w));
        }

        Width512<T>.AddWidened(q0, sum2);
        Width512<T>.AddWidened(q1, sum2 + w);
        Width512<T>.AddWidened(q2, sum2 + (2 * w));
        Width512<T>.AddWidened(q3, sum2 + (3 * w));
        Width512<T>.AddWidened(q4, sum2 + (4 * w));
        Width512<T>.AddWidened(q5, sum2 + (5 * w));
        Width512<T>.AddWidened(q6, sum2 + (6 * w));
        Width512<T>.AddWidened(q7, sum2 + (7 * w));
        Width512<T>.AddWidened(q8, sum2 + (8 * w));
        Width512<T>.AddWidened(q9, sum2 + (9 * w));
        Width512<T>.AddWidened(q10, sum2 + (10 * w));
        Width512<T>.AddWidened(q11, sum2 + (11 * w));
        Width512<T>.AddWidened(q12, sum2 + (12 * w));
        Width512<T>.AddWidened(q13, sum2 + (13 * w));
        Width512<T>.AddWidened(q14, sum2 + (14 * w));
        if (sixteen)
        {
            Width512<T>.AddWidened(q15, sum2 + (15 * w));
        }
    }

    /// <summary>One vector's step of <see cref="HeldPairGroup"/> with its first sum in memory at <paramref name="first"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SpilledFirstLane<T, TOp>(T* a, T* b, T* high, T* first, ref Vector512<T> q)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IChannelSums<T>
    {
        var p = Vector512.Load(first);
        HeldLane<T, TOp>(a, b, high, ref p, ref q);
        p.Store(first);
    }

    /// <summary>
    /// One vector's step of <see cref="HeldGroup"/> and <see cref="HeldPairGroup"/>: the data first, then the shift, so the JIT takes the shift as the
    /// subtraction's memory operand instead of a register (with it in a register the loop needed one more than 32).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void HeldLane<T, TOp>(T* a, T* b, T* high, ref Vector512<T> p, ref Vector512<T> q)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IChannelSums<T>
    {
        var x = Vector512.Load(a);
        var y = TOp.ReadsSecond ? Vector512.Load(b) : x;
        TOp.Step<Vector512<T>, Width512<T>>(x, y, Vector512.Load(high), ref p, ref q);
    }

    /// <summary>
    /// <see cref="ColumnGroups"/> at 512 bits over contiguous rows whose start is <paramref name="misaligned"/> (m)
    /// elements past a 64-byte line: the groups take channels s = width − m to C − m, whose vectors then start on
    /// lines (a line-crossing 512-bit load cost the column walk 15–20% from memory and the read floor 37% here), and
    /// one more vector per row, on a line too, takes the last m channels of a row with the first s of the next
    /// (<see cref="WrapColumn"/>). Every channel is still summed down the rows in order in a lane of its own, from
    /// +0, with the same operations, so the bits are those of the unaligned walk, wherever the array lies.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void AlignedColumnGroups<T, TOp>(
        T* a, T* b, int rows, int firstBlock, int channels, int misaligned, T* high, int* phases, T* spill, double* sum, int sumStride, bool prefetch)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IChannelSums<T>
    {
        int width = Vector512<T>.Count;
        int skip = width - misaligned;
        if (channels > width)
        {
            ColumnGroups<T, TOp, Vector512<T>, Width512<T>>(
                a + skip, b + skip, channels, channels, rows, firstBlock, channels - width, high + skip, phases, spill, sum + skip, sumStride, prefetch);
        }

        // The wrapped column block by block too (C is a multiple of the width, so every block starts m past a line).
        for (int start = 0, length = Math.Min(firstBlock, rows); start < rows; start += length, length = Math.Min(FoldLength, rows - start))
        {
            long offset = (long)start * channels;
            WrapColumn<T, TOp>(a + offset, b + offset, length, channels, misaligned, high, sum, sumStride);
        }
    }

    /// <summary>
    /// The vector at a + j·C − m for j = 0 … rows: lanes below m hold channels C − m … C − 1 of row j − 1, the others
    /// channels 0 … s − 1 of row j. Its first and last are rebuilt from loads inside the rows (a permute, the lanes of
    /// the rows outside left as they were), so nothing before the first row or after the last is read; lane l's sums
    /// go to channel (C − m + l) mod C. The shifts come from the table, whose rows repeat their start after their end.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WrapColumn<T, TOp>(T* a, T* b, int rows, int channels, int misaligned, T* high, double* sum, int sumStride)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IChannelSums<T>
    {
        int width = Vector512<T>.Count;
        var k = Vector512.Load(high + channels - misaligned);
        var upper = Vector512.LoadUnsafe(ref LaneMasks.KeepFrom<T>(misaligned));

        // Row 0's first s channels into lanes m and up.
        var x = ShiftLanes(Vector512.Load(a), misaligned);
        var y = TOp.ReadsSecond ? ShiftLanes(Vector512.Load(b), misaligned) : x;
        Vector512<T> p = default, q = default;
        Vector512<T> p1 = default, q1 = default;
        TOp.Step<Vector512<T>, Width512<T>>(x, y, k, ref p1, ref q1);
        p = Vector512.ConditionalSelect(upper, p1, p);
        q = Vector512.ConditionalSelect(upper, q1, q);

        T* wa = a + channels - misaligned;
        T* wb = b + channels - misaligned;
        for (int j = 1; j < rows; j++, wa += channels, wb += channels)
        {
            var xa = Vector512.Load(wa);
            var yb = TOp.ReadsSecond ? Vector512.Load(wb) : xa;
            TOp.Step<Vector512<T>, Width512<T>>(xa, yb, k, ref p, ref q);
        }

        // The last row's last m channels into lanes below m.
        long last = ((long)rows * channels) - width;
        x = ShiftLanes(Vector512.Load(a + last), misaligned - width);
        y = TOp.ReadsSecond ? ShiftLanes(Vector512.Load(b + last), misaligned - width) : x;
        p1 = p;
        q1 = q;
        TOp.Step<Vector512<T>, Width512<T>>(x, y, k, ref p1, ref q1);
        p = Vector512.ConditionalSelect(upper, p, p1);
        q = Vector512.ConditionalSelect(upper, q, q1);

        T* first = stackalloc T[width];
        T* second = stackalloc T[width];
        p.Store(first);
        q.Store(second);
        double* sum2 = sum + sumStride;
        for (int lane = 0; lane < width; lane++)
        {
            int c = lane < misaligned ? channels - misaligned + lane : lane - misaligned;
            sum[c] += double.CreateTruncating(first[lane]);
            sum2[c] += double.CreateTruncating(second[lane]);
        }
    }

    /// <summary>Lane l of the result is lane l − <paramref name="offset"/> of <paramref name="value"/>, 0 where that is outside.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> ShiftLanes<T>(Vector512<T> value, int offset)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Indices below 0 wrap to large unsigned values, which Shuffle turns into zero lanes.
        if (sizeof(T) == sizeof(uint))
        {
            return Vector512.Shuffle(value.AsUInt32(), Vector512<uint>.Indices - Vector512.Create((uint)offset)).As<uint, T>();
        }

        return Vector512.Shuffle(value.AsUInt64(), Vector512<ulong>.Indices - Vector512.Create((ulong)(long)offset)).As<ulong, T>();
    }

    /// <summary>
    /// Rows <paramref name="strideA"/> apart, read strictly in memory order: per-channel partial sums in T live in an
    /// L1-resident buffer (<paramref name="partial"/>, 2·C) and fold into double once per block of at most
    /// <see cref="FoldLength"/> rows. It takes the wide rows that <see cref="ColumnGroups"/> cannot: C not a multiple of
    /// the vector width, or, beyond <see cref="ColumnGroupBytes"/>, rows that are not contiguous (the column walk's
    /// prefetch of the next band needs them in one piece; without it column groups were about 1.3× slower than this
    /// loop from memory). Two rows per pass were 2× slower (several strided streams defeat the prefetcher); a 2×
    /// unrolled loop and software prefetch of this loop's own stream changed nothing.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void RowsInOrder<T, TOp>(
        T* a, T* b, nint strideA, nint strideB, int rows, int channels, T* high, T* partial, double* sum, double* sum2)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IChannelSums<T>
    {
        int width = Vector<T>.Count;
        int vectorChannels = channels - (channels % width);
        T* partial2 = partial + channels;
        new Span<T>(partial, 2 * channels).Clear();
        for (int r = 0; r < rows; r++, a += strideA, b += strideB)
        {
            int c = 0;
            for (; c < vectorChannels; c += width)
            {
                var x = Vector.Load(a + c);
                var y = TOp.ReadsSecond ? Vector.Load(b + c) : x;
                var k = Vector.Load(high + c);
                var s1 = Vector.Load(partial + c);
                var s2 = Vector.Load(partial2 + c);
                TOp.Step<Vector<T>, WidthVector<T>>(x, y, k, ref s1, ref s2);
                s1.Store(partial + c);
                s2.Store(partial2 + c);
            }

            for (; c < channels; c++)
            {
                partial[c] = TOp.First(a[c], b[c], high[c], partial[c]);
                partial2[c] = TOp.Second(a[c], b[c], high[c], partial2[c]);
            }
        }

        Fold(partial, sum, channels);
        Fold(partial2, sum2, channels);
    }

    /// <summary>sum[c] += (double)partial[c] for c &lt; <paramref name="count"/>, in vectors (float partials widened).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Fold<T>(T* partial, double* sum, int count)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int c = 0;
        if (Vector512.IsHardwareAccelerated && typeof(T) == typeof(float))
        {
            for (; c + Vector512<float>.Count <= count; c += Vector512<float>.Count)
            {
                var v = Vector512.Load((float*)partial + c);
                (Vector512.Load(sum + c) + Vector512.WidenLower(v)).Store(sum + c);
                (Vector512.Load(sum + c + Vector512<double>.Count) + Vector512.WidenUpper(v)).Store(sum + c + Vector512<double>.Count);
            }
        }
        else if (Vector512.IsHardwareAccelerated && typeof(T) == typeof(double))
        {
            for (; c + Vector512<double>.Count <= count; c += Vector512<double>.Count)
            {
                (Vector512.Load(sum + c) + Vector512.Load((double*)partial + c)).Store(sum + c);
            }
        }

        if (typeof(T) == typeof(float))
        {
            for (; c + Vector<float>.Count <= count; c += Vector<float>.Count)
            {
                Vector.Widen(Vector.Load((float*)partial + c), out var low, out var high);
                (Vector.Load(sum + c) + low).Store(sum + c);
                (Vector.Load(sum + c + Vector<double>.Count) + high).Store(sum + c + Vector<double>.Count);
            }
        }
        else if (typeof(T) == typeof(double))
        {
            for (; c + Vector<double>.Count <= count; c += Vector<double>.Count)
            {
                (Vector.Load(sum + c) + Vector.Load((double*)partial + c)).Store(sum + c);
            }
        }

        for (; c < count; c++)
        {
            sum[c] += double.CreateTruncating(partial[c]);
        }
    }

    /// <summary>
    /// The one vectorized reduction loop, at vector width <typeparamref name="TWidth"/>: <paramref name="periods"/>
    /// periods of <paramref name="vectors"/> (≤ 8) vectors, period r at a + r·strideA (and b + r·strideB); vector k of
    /// every period adds into accumulator pair k, whose shift is read at table offset phases[k]. The pairs are stored
    /// to <paramref name="partial"/> (S1 then S2, eight vectors each), or, with <paramref name="sum"/> given (lanes that
    /// are channels), added widened to the double sums there and <paramref name="sumStride"/> further on: no store and
    /// reload of the partials (<see cref="Finish"/>). Each lane takes <paramref name="periods"/> ≤
    /// <see cref="FoldLength"/> elements. The accumulators and shifts stay in registers: the loop body calls nothing
    /// that takes their address. With <paramref name="ahead"/> set, every period also asks for
    /// <paramref name="aheadStep"/> bytes from there onward, and from <paramref name="aheadB"/> for two-input operators
    /// (software prefetch; <see cref="ColumnGroups"/>). <typeparamref name="TGroup"/> says at compile time when every
    /// period has all eight vectors, so that loop carries no per-vector test.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SumPeriods<T, TOp, TVector, TWidth, TGroup>(
        T* a, T* b, nint strideA, nint strideB, int periods, int vectors, T* high, int* phases, T* partial, byte* ahead = null, byte* aheadB = null,
        int aheadStep = 0, double* sum = null, int sumStride = 0)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IChannelSums<T>
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector, T>
        where TGroup : struct, IGroupSize
    {
        int w = TWidth.Count;
        bool full = TGroup.Full;
        TVector p0 = default, p1 = default, p2 = default, p3 = default, p4 = default, p5 = default, p6 = default, p7 = default;
        TVector q0 = default, q1 = default, q2 = default, q3 = default, q4 = default, q5 = default, q6 = default, q7 = default;
        var k0 = TWidth.Load(high + phases[0]);
        var k1 = full || vectors > 1 ? TWidth.Load(high + phases[1]) : default;
        var k2 = full || vectors > 2 ? TWidth.Load(high + phases[2]) : default;
        var k3 = full || vectors > 3 ? TWidth.Load(high + phases[3]) : default;
        var k4 = full || vectors > 4 ? TWidth.Load(high + phases[4]) : default;
        var k5 = full || vectors > 5 ? TWidth.Load(high + phases[5]) : default;
        var k6 = full || vectors > 6 ? TWidth.Load(high + phases[6]) : default;
        var k7 = full || vectors > 7 ? TWidth.Load(high + phases[7]) : default;
        for (int r = 0; r < periods; r++, a += strideA, b += strideB)
        {
            if (ahead != null)
            {
                for (int line = 0; line < aheadStep; line += CacheLineBytes)
                {
                    Sse.Prefetch0(ahead + line);
                    if (TOp.ReadsSecond)
                    {
                        Sse.Prefetch0(aheadB + line);
                    }
                }

                ahead += aheadStep;
                aheadB += aheadStep;
            }

            Lane<T, TOp, TVector, TWidth>(true, a, b, k0, ref p0, ref q0);
            Lane<T, TOp, TVector, TWidth>(full || vectors > 1, a + w, b + w, k1, ref p1, ref q1);
            Lane<T, TOp, TVector, TWidth>(full || vectors > 2, a + (2 * w), b + (2 * w), k2, ref p2, ref q2);
            Lane<T, TOp, TVector, TWidth>(full || vectors > 3, a + (3 * w), b + (3 * w), k3, ref p3, ref q3);
            Lane<T, TOp, TVector, TWidth>(full || vectors > 4, a + (4 * w), b + (4 * w), k4, ref p4, ref q4);
            Lane<T, TOp, TVector, TWidth>(full || vectors > 5, a + (5 * w), b + (5 * w), k5, ref p5, ref q5);
            Lane<T, TOp, TVector, TWidth>(full || vectors > 6, a + (6 * w), b + (6 * w), k6, ref p6, ref q6);
            Lane<T, TOp, TVector, TWidth>(full || vectors > 7, a + (7 * w), b + (7 * w), k7, ref p7, ref q7);
        }

        T* second = partial + (MaxPeriodVectors * w);
        bool fold = sum != null;
        double* sum2 = sum + sumStride;
        Finish<TVector, T, TWidth>(fold, true, p0, q0, partial, second, sum, sum2);
        Finish<TVector, T, TWidth>(fold, full || vectors > 1, p1, q1, partial + w, second + w, sum + w, sum2 + w);
        Finish<TVector, T, TWidth>(fold, full || vectors > 2, p2, q2, partial + (2 * w), second + (2 * w), sum + (2 * w), sum2 + (2 * w));
        Finish<TVector, T, TWidth>(fold, full || vectors > 3, p3, q3, partial + (3 * w), second + (3 * w), sum + (3 * w), sum2 + (3 * w));
        Finish<TVector, T, TWidth>(fold, full || vectors > 4, p4, q4, partial + (4 * w), second + (4 * w), sum + (4 * w), sum2 + (4 * w));
        Finish<TVector, T, TWidth>(fold, full || vectors > 5, p5, q5, partial + (5 * w), second + (5 * w), sum + (5 * w), sum2 + (5 * w));
        Finish<TVector, T, TWidth>(fold, full || vectors > 6, p6, q6, partial + (6 * w), second + (6 * w), sum + (6 * w), sum2 + (6 * w));
        Finish<TVector, T, TWidth>(fold, full || vectors > 7, p7, q7, partial + (7 * w), second + (7 * w), sum + (7 * w), sum2 + (7 * w));
    }

    /// <summary>
    /// One accumulator pair at the end of <see cref="SumPeriods"/>: with <paramref name="fold"/> (the pair's lanes are
    /// channels, as in column groups), added, widened, to the double sums at <paramref name="sum"/> and
    /// <paramref name="sum2"/> if the period has this pair; else stored to <paramref name="first"/> and
    /// <paramref name="second"/> for the caller to map.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish<TVector, T, TWidth>(bool fold, bool active, TVector p, TVector q, T* first, T* second, double* sum, double* sum2)
        where TVector : struct
        where T : unmanaged, IFloatingPointIeee754<T>
        where TWidth : struct, IVectorWidth<TVector, T>
    {
        if (fold)
        {
            if (active)
            {
                TWidth.AddWidened(p, sum);
                TWidth.AddWidened(q, sum2);
            }

            return;
        }

        TWidth.Store(p, first);
        TWidth.Store(q, second);
    }

    /// <summary>One accumulator pair's step of <see cref="SumPeriods"/>: unchanged when the period has no such vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Lane<T, TOp, TVector, TWidth>(bool active, T* a, T* b, TVector shift, ref TVector p, ref TVector q)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TOp : struct, IChannelSums<T>
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector, T>
    {
        if (!active)
        {
            return;
        }

        var x = TWidth.Load(a);
        var y = TOp.ReadsSecond ? TWidth.Load(b) : x;
        TOp.Step<TVector, TWidth>(x, y, shift, ref p, ref q);
    }
}

/// <summary>Receives the runs of a channels-outer chunk (<see cref="ChannelSums.WalkRuns"/>).</summary>
internal unsafe interface IRunVisitor<T>
    where T : unmanaged
{
    /// <summary>One run of <paramref name="length"/> contiguous elements of <paramref name="channel"/> in views a and b, and its slot.</summary>
    void Run(T* a, T* b, int length, int channel, ref ChannelAccumulator slot);
}

/// <summary>What every chunk of one <see cref="ChannelSums.Run{T}"/> call shares (lives on the caller's stack).</summary>
internal unsafe struct SumJob<T>
    where T : unmanaged
{
    public ChannelLayout Layout;
    public ChunkPlan Plan;
    public T* A;
    public T* B;
    public T* Table;
    public int TableStride;
    /// <summary>Chunk 0's slots: the totals, channels 0, 1, … in order.</summary>
    public ChannelAccumulator* FirstSlots;

    /// <summary>Chunk 1's slots.</summary>
    public ChannelAccumulator* Slots;

    /// <summary>Slots between the first slots of chunks k and k + 1 for k ≥ 1 (0 when those chunks use the same slots in turn).</summary>
    public int SlotStride;
    public nint Context;
    public delegate*<ref SumJob<T>, int, void> Chunk;

    /// <summary>
    /// For <see cref="ChannelSums.TryWindowChunks"/>: the chunks' 2·C double sums each (S1 of every channel, then S2;
    /// chunk k at k·2·C) the walk leaves for the caller instead of committing them to slots; null otherwise.
    /// </summary>
    public double* WindowSums;

    /// <summary>Set by a walk into <see cref="WindowSums"/> when a channel fails the cancellation test.</summary>
    public bool Refused;

    /// <summary>The first slot of chunk <paramref name="chunk"/>.</summary>
    public readonly ChannelAccumulator* SlotsOf(int chunk) => chunk == 0 ? FirstSlots : Slots + ((chunk - 1) * SlotStride);
}

/// <summary>
/// Whether a <see cref="ChannelSums"/> reduction loop's group has all the vectors the loop holds, known at compile time:
/// eight in <c>SumPeriods</c>, sixteen in <c>HeldGroup</c> and <c>HeldPairGroup</c>.
/// </summary>
internal interface IGroupSize
{
    /// <summary>True when every period has all the loop's vectors.</summary>
    static abstract bool Full { get; }
}

/// <summary>Every period has all the loop's vectors.</summary>
internal readonly struct FullGroup : IGroupSize
{
    public static bool Full => true;
}

/// <summary>A period of <c>SumPeriods</c> has one to eight vectors, a held group nine to fifteen, tested per vector.</summary>
internal readonly struct AnyGroup : IGroupSize
{
    public static bool Full => false;
}
