using BnNative.Tensors;

namespace BnNative.Tests.Properties;

/// <summary>
/// How a test names the channel axis: a data format (tensorpack's default axis for it) or an explicit axis, which
/// may be negative (counted from the end) and is then handed to the backend as is.
/// </summary>
public sealed record ChannelChoice(DataFormat Format, int? ExplicitAxis)
{
    /// <summary>The axis in [0, rank) through <see cref="ChannelAxis.Resolve"/>.</summary>
    public int Resolve(int rank) => ChannelAxis.Resolve(rank, Format, ExplicitAxis);

    /// <summary>The axis argument for <c>MomentsBackend.Compute</c>: the explicit axis unchanged, else the resolved one.</summary>
    public int Argument(int rank) => ExplicitAxis ?? Resolve(rank);

    /// <inheritdoc />
    public override string ToString() => ExplicitAxis is int axis ? $"axis {axis}" : Format.Name();
}
