namespace BnNative.Kernels;

/// <summary>
/// How the work of one call is cut into chunks: a function of the layout only, never of the thread count, so
/// per-chunk partial results merged in chunk order are bitwise the same for any number of threads.
/// </summary>
/// <remarks>
/// Channels outer: the units are (outer, channel) pairs, each one run of <see cref="ChannelLayout.Inner"/> elements.
/// Channels inner: the units are rows of all channels, and a chunk holds a multiple of <see cref="FoldRows"/> rows.
/// </remarks>
internal readonly struct ChunkPlan
{
    /// <summary>Fewest elements per chunk (unless the tensor has fewer).</summary>
    public const int ChunkElements = 1 << 16;

    /// <summary>Most elements per chunk (unless one unit has more).</summary>
    public const int MaxChunkElements = 1 << 18;

    /// <summary>Rows per fold block of a channels-inner reduction (chunks start on a multiple of it).</summary>
    public const int FoldRows = 64;

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
    }

    /// <summary>True when the units are rows of channels (channels inner); false for (outer, channel) runs.</summary>
    public bool Rows { get; }

    /// <summary>Number of chunks.</summary>
    public int Chunks { get; }

    /// <summary>Per-channel result slots a chunk of a reduction needs.</summary>
    public int SlotsPerChunk { get; }

    /// <summary>The plan for <paramref name="layout"/>.</summary>
    public static ChunkPlan For(in ChannelLayout layout)
    {
        if (layout.ChannelsInner)
        {
            return new ChunkPlan(true, layout.OuterCount, RowsPerChunk(layout.Channels, layout.OuterCount), layout.Channels);
        }

        long pairs = layout.OuterCount * layout.Channels;
        return new ChunkPlan(false, pairs, Math.Max(1, TargetElements(pairs * layout.Inner) / layout.Inner), layout.Channels);
    }

    /// <summary>
    /// Elements per chunk for a call over <paramref name="elements"/> elements: half of them (two chunks, one per core
    /// of this kind of machine), within [<see cref="ChunkElements"/>, <see cref="MaxChunkElements"/>]. Every chunk of
    /// a reduction clears, fills and merges a slot per channel; with rows of 512 channels in 2¹⁶-element chunks that
    /// bookkeeping cost [1024, 512] training a tenth of its time, and its eight chunks on two threads 20% more than two.
    /// </summary>
    public static long TargetElements(long elements) => Math.Clamp(elements / 2, ChunkElements, MaxChunkElements);

    /// <summary>Rows of <paramref name="channels"/> channels per chunk of a channels-inner plan over <paramref name="rows"/> rows.</summary>
    public static long RowsPerChunk(int channels, long rows) =>
        Math.Max(1, TargetElements(rows * channels) / channels / FoldRows) * FoldRows;

    /// <summary>First unit of <paramref name="chunk"/>.</summary>
    public long First(int chunk) => chunk * _unitsPerChunk;

    /// <summary>One past the last unit of <paramref name="chunk"/>.</summary>
    public long End(int chunk) => Math.Min(_units, (chunk + 1) * _unitsPerChunk);

    /// <summary>The channel of slot 0 of <paramref name="chunk"/>: slot s holds channel (first + s) mod C.</summary>
    public int FirstChannel(int chunk) => Rows ? 0 : (int)(First(chunk) % _channels);

    /// <summary>Slots <paramref name="chunk"/> fills.</summary>
    public int SlotCount(int chunk) => Rows ? _channels : (int)Math.Min(_channels, End(chunk) - First(chunk));
}
