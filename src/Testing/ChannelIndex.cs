namespace BnNative.Testing;

/// <summary>
/// The channel of each element of a tensor, by the element's position in logical row-major order: the element at
/// position p is in channel (p / <see cref="Inner"/>) mod <see cref="Channels"/>.
/// </summary>
/// <param name="Channels">Length of the channel axis.</param>
/// <param name="Inner">Product of the lengths after the channel axis.</param>
public readonly record struct ChannelIndex(int Channels, int Inner)
{
    /// <summary>The index for a tensor with <paramref name="lengths"/> and channel axis <paramref name="channelAxis"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="lengths"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="lengths"/> is empty or holds a length below 1.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="channelAxis"/> is outside [0, rank).</exception>
    public static ChannelIndex Of(int[] lengths, int channelAxis)
    {
        ArgumentChecks.Lengths(lengths, minRank: 1);
        ArgumentChecks.Axis(channelAxis, lengths.Length);
        return new(lengths[channelAxis], Product(lengths.Skip(channelAxis + 1)));
    }

    /// <summary>Product of <paramref name="lengths"/> (1 for none), in checked arithmetic.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="lengths"/> is null.</exception>
    /// <exception cref="OverflowException">The product exceeds <see cref="int.MaxValue"/>.</exception>
    public static int Product(IEnumerable<int> lengths)
    {
        ArgumentNullException.ThrowIfNull(lengths);
        return lengths.Aggregate(1, (product, length) => checked(product * length));
    }

    /// <summary>The channel of the element at row-major <paramref name="position"/> (not checked against the tensor's size: this runs once per element).</summary>
    public int At(int position) => position / Inner % Channels;
}
