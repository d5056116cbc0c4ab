using BnNative.Tensors;

namespace BnNative.Tests.Core;

public sealed class ChannelAxisTests
{
    [Theory]
    [InlineData(DataFormat.ChannelsLast)]
    [InlineData(DataFormat.ChannelsFirst)]
    public void RankTwoIsAxisOneWhateverTheFormat(DataFormat format)
    {
        Assert.Equal(1, ChannelAxis.Resolve(2, format));
    }

    [Theory]
    [InlineData(3, DataFormat.ChannelsLast, 2)]
    [InlineData(4, DataFormat.ChannelsLast, 3)]
    [InlineData(5, DataFormat.ChannelsLast, 4)]
    [InlineData(3, DataFormat.ChannelsFirst, 1)]
    [InlineData(4, DataFormat.ChannelsFirst, 1)]
    [InlineData(5, DataFormat.ChannelsFirst, 1)]
    public void HigherRanksFollowTheFormat(int rank, DataFormat format, int expected)
    {
        Assert.Equal(expected, ChannelAxis.Resolve(rank, format));
    }

    [Fact]
    public void DefaultFormatIsChannelsLast()
    {
        Assert.Equal(3, ChannelAxis.Resolve(4));
    }

    [Theory]
    [InlineData(4, 2, 2)]
    [InlineData(4, 0, 0)]
    [InlineData(4, -1, 3)]
    [InlineData(4, -4, 0)]
    [InlineData(2, -2, 0)]
    public void ExplicitAxisWinsOverTheFormat(int rank, int axis, int expected)
    {
        Assert.Equal(expected, ChannelAxis.Resolve(rank, DataFormat.ChannelsFirst, axis));
        Assert.Equal(expected, ChannelAxis.Resolve(rank, DataFormat.ChannelsLast, axis));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(0)]
    [InlineData(-3)]
    public void RankBelowTwoIsRejected(int rank)
    {
        ParamAssert.Throws<ArgumentOutOfRangeException>("rank", () => ChannelAxis.Resolve(rank));
    }

    [Theory]
    [InlineData(4, 4)]
    [InlineData(4, -5)]
    [InlineData(2, 2)]
    public void AxisOutsideTheRankIsRejected(int rank, int axis)
    {
        ParamAssert.Throws<ArgumentOutOfRangeException>("axis", () => ChannelAxis.Resolve(rank, axis: axis));
    }

    [Fact]
    public void UndefinedFormatIsRejectedWhereItMatters()
    {
        ParamAssert.Throws<ArgumentOutOfRangeException>("format", () => ChannelAxis.Resolve(4, (DataFormat)7));
        Assert.Equal(1, ChannelAxis.Resolve(2, (DataFormat)7));
    }
}
