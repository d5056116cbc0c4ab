namespace BnNative.Tests.Properties;

/// <summary>
/// One generated input: a logical tensor (lengths and row-major values, already rounded to the element type), the
/// channel axis, the element type and the layout it is stored in.
/// </summary>
/// <param name="Lengths">Axis lengths, logical order.</param>
/// <param name="Channel">How the channel axis is named.</param>
/// <param name="Type">Element type of the stored tensor.</param>
/// <param name="Values">The elements in logical row-major order; each is exactly representable in <paramref name="Type"/>.</param>
/// <param name="Layout">How the elements are laid out in memory.</param>
public sealed record MomentsCase(int[] Lengths, ChannelChoice Channel, ElementType Type, double[] Values, Layout Layout)
{
    /// <summary>Rank of the tensor.</summary>
    public int Rank => Lengths.Length;

    /// <summary>The channel axis in [0, rank).</summary>
    public int ChannelAxis => Channel.Resolve(Rank);

    /// <summary>Elements per channel, n.</summary>
    public long CountPerChannel => Values.LongLength / Lengths[ChannelAxis];

    /// <summary>The channel axis as handed to the backend (possibly negative).</summary>
    public int AxisArgument => Channel.Argument(Rank);

    /// <summary>The tensor stored in <see cref="Layout"/>.</summary>
    public StoredTensor Store() => StoredTensor.Store(Type, Lengths, Values, Layout);

    /// <summary>The per-channel statistics of <see cref="Values"/> from MathNet.Numerics.</summary>
    public ChannelStatistics Statistics() => ChannelStatistics.Of(Lengths, ChannelAxis, Values);

    /// <summary>Shape, axis, type and layout; the values are summarized (FsCheck prints this for a counterexample).</summary>
    public override string ToString() =>
        $"{Type} [{string.Join(", ", Lengths)}] {Channel} (axis {ChannelAxis}), {Layout}, "
        + $"values [{string.Join(", ", Values.Take(6))}{(Values.Length > 6 ? ", …" : string.Empty)}] ({Values.Length})";
}
