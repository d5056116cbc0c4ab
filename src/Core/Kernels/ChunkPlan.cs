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
    /// <summary>Target number of elements per chunk.</summary>
    public const int ChunkElements = 1 << 16;

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
            return new ChunkPlan(true, layout.OuterCount, RowsPerChunk(layout.Channels), layout.Channels);
        }

        long pairs = layout.OuterCount * layout.Channels;
        return new ChunkPlan(false, pairs, Math.Max(1, ChunkElements / layout.Inner), layout.Channels);
    }

    /// <summary>Rows of <paramref name="channels"/> channels per chunk of a channels-inner plan.</summary>
    public static long RowsPerChunk(int channels) => Math.Max(1, ChunkElements / channels / FoldRows) * FoldRows;

    /// <summary>First unit of <paramref name="chunk"/>.</summary>
    public long First(int chunk) => chunk * _unitsPerChunk;

    /// <summary>One past the last unit of <paramref name="chunk"/>.</summary>
    public long End(int chunk) => Math.Min(_units, (chunk + 1) * _unitsPerChunk);

    /// <summary>The channel of slot 0 of <paramref name="chunk"/>: slot s holds channel (first + s) mod C.</summary>
    public int FirstChannel(int chunk) => Rows ? 0 : (int)(First(chunk) % _channels);

    /// <summary>Slots <paramref name="chunk"/> fills.</summary>
    public int SlotCount(int chunk) => Rows ? _channels : (int)Math.Min(_channels, End(chunk) - First(chunk));
}
