namespace BnNative.Tensors;

/// <summary>Where the channel axis sits when no explicit axis is given (tensorpack's <c>data_format</c>).</summary>
public enum DataFormat
{
    /// <summary>Channels last: NHWC for rank 4, NLC for rank 3, NDHWC for rank 5. tensorpack's default.</summary>
    ChannelsLast,

    /// <summary>Channels first: NCHW for rank 4, NCL for rank 3, NCDHW for rank 5.</summary>
    ChannelsFirst,
}

/// <summary>Parsing and naming of <see cref="DataFormat"/> values.</summary>
public static class DataFormats
{
    /// <summary>
    /// Parses <c>channels_last</c>, <c>channels_first</c>, <c>NHWC</c> or <c>NCHW</c> (case-insensitive; also
    /// NLC/NCL and NDHWC/NCDHW).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="text"/> is not a known name.</exception>
    public static DataFormat Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out var format)
            ? format
            : throw new ArgumentException(
                $"Unknown data format '{text}'; expected channels_last, channels_first, NHWC or NCHW.", nameof(text));
    }

    /// <summary>Parses like <see cref="Parse"/>; returns false for an unknown name.</summary>
    public static bool TryParse(string? text, out DataFormat format)
    {
        switch (text?.Trim().ToUpperInvariant())
        {
            case "CHANNELS_LAST" or "NHWC" or "NLC" or "NWC" or "NDHWC":
                format = DataFormat.ChannelsLast;
                return true;
            case "CHANNELS_FIRST" or "NCHW" or "NCL" or "NCW" or "NCDHW":
                format = DataFormat.ChannelsFirst;
                return true;
            default:
                format = default;
                return false;
        }
    }

    /// <summary>tensorpack's name: <c>channels_last</c> or <c>channels_first</c>.</summary>
    public static string Name(this DataFormat format) => format switch
    {
        DataFormat.ChannelsLast => "channels_last",
        DataFormat.ChannelsFirst => "channels_first",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown data format."),
    };
}
