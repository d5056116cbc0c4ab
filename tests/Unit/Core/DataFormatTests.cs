using BnNative.Tensors;

namespace BnNative.Tests.Core;

public sealed class DataFormatTests
{
    [Theory]
    [InlineData("channels_last", DataFormat.ChannelsLast)]
    [InlineData("Channels_Last", DataFormat.ChannelsLast)]
    [InlineData("NHWC", DataFormat.ChannelsLast)]
    [InlineData("nhwc", DataFormat.ChannelsLast)]
    [InlineData(" NLC ", DataFormat.ChannelsLast)]
    [InlineData("NDHWC", DataFormat.ChannelsLast)]
    [InlineData("channels_first", DataFormat.ChannelsFirst)]
    [InlineData("CHANNELS_FIRST", DataFormat.ChannelsFirst)]
    [InlineData("NCHW", DataFormat.ChannelsFirst)]
    [InlineData("nchw", DataFormat.ChannelsFirst)]
    [InlineData("NCL", DataFormat.ChannelsFirst)]
    [InlineData("ncdhw", DataFormat.ChannelsFirst)]
    public void ParsesKnownNamesCaseInsensitively(string text, DataFormat expected)
    {
        Assert.Equal(expected, DataFormats.Parse(text));
        Assert.True(DataFormats.TryParse(text, out var parsed));
        Assert.Equal(expected, parsed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("NHCW")]
    [InlineData("channels-last")]
    public void UnknownNameIsRejected(string text)
    {
        var error = ParamAssert.Throws<ArgumentException>("text", () => DataFormats.Parse(text));
        Assert.Contains("channels_last", error.Message, StringComparison.Ordinal);
        Assert.False(DataFormats.TryParse(text, out _));
    }

    [Fact]
    public void NullIsRejected()
    {
        ParamAssert.Throws<ArgumentNullException>("text", () => DataFormats.Parse(null!));
        Assert.False(DataFormats.TryParse(null, out _));
    }

    [Theory]
    [InlineData(DataFormat.ChannelsLast, "channels_last")]
    [InlineData(DataFormat.ChannelsFirst, "channels_first")]
    public void NameIsTensorpacksAndParsesBack(DataFormat format, string name)
    {
        Assert.Equal(name, format.Name());
        Assert.Equal(format, DataFormats.Parse(format.Name()));
    }

    [Fact]
    public void NameOfUndefinedFormatIsRejected()
    {
        ParamAssert.Throws<ArgumentOutOfRangeException>("format", () => ((DataFormat)9).Name());
    }
}
