namespace BnNative.Tests.Properties;

/// <summary>The channel of each element of a tensor, by the element's position in logical row-major order.</summary>
/// <param name="Channels">Length of the channel axis.</param>
/// <param name="Inner">Product of the lengths after the channel axis.</param>
public readonly record struct ChannelIndex(int Channels, int Inner)
{
    /// <summary>The index for a tensor with <paramref name="lengths"/> and channel axis <paramref name="channelAxis"/>.</summary>
    public static ChannelIndex Of(int[] lengths, int channelAxis) =>
        new(lengths[channelAxis], Product(lengths.Skip(channelAxis + 1)));

    /// <summary>Product of <paramref name="lengths"/> (1 for none).</summary>
    public static int Product(IEnumerable<int> lengths) => lengths.Aggregate(1, (product, length) => checked(product * length));

    /// <summary>The channel of the element at row-major <paramref name="position"/>.</summary>
    public int At(int position) => position / Inner % Channels;
}
