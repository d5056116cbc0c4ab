using BnNative.Tensors;

namespace BnNative.Testing;

/// <summary>
/// How a case names the channel axis, as <see cref="Normalization.BatchNormConfig"/> does: a data format (tensorpack's
/// default axis for it: rank 2 → axis 1, channels_last → the last axis, channels_first → axis 1) or an explicit axis,
/// which may be negative (counted from the end) and is then handed to the library as is.
/// </summary>
public sealed record ChannelChoice
{
    /// <summary>Creates a channel choice.</summary>
    /// <param name="format">The data format (used when <paramref name="explicitAxis"/> is null).</param>
    /// <param name="explicitAxis">An explicit axis in [−rank, rank−1], or null for the data format's axis.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="format"/> is not a defined value.</exception>
    public ChannelChoice(DataFormat format, int? explicitAxis)
    {
        ArgumentChecks.Defined(format);
        Format = format;
        ExplicitAxis = explicitAxis;
    }

    /// <summary>The data format (<see cref="Normalization.BatchNormConfig.DataFormat"/>).</summary>
    public DataFormat Format { get; init; }

    /// <summary>The explicit axis (<see cref="Normalization.BatchNormConfig.Axis"/>), or null.</summary>
    public int? ExplicitAxis { get; init; }

    /// <summary>The axis in [0, rank) that holds the channels, through <see cref="ChannelAxis.Resolve"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rank"/> is below 2, or the explicit axis is outside [−rank, rank−1].</exception>
    public int Resolve(int rank)
    {
        ArgumentChecks.TensorRank(rank);
        if (ExplicitAxis is int axis && (axis < -rank || axis >= rank))
        {
            throw new ArgumentOutOfRangeException(
                nameof(rank), rank, $"The explicit axis {axis} needs a rank above {(axis < 0 ? -axis - 1 : axis)}, got rank {rank}.");
        }

        return ChannelAxis.Resolve(rank, Format, ExplicitAxis);
    }

    /// <summary>The channel-axis argument for <c>MomentsBackend.Compute</c>: the explicit axis unchanged (possibly negative), else the resolved one.</summary>
    /// <exception cref="ArgumentOutOfRangeException">As <see cref="Resolve"/>.</exception>
    public int Argument(int rank)
    {
        int resolved = Resolve(rank);
        return ExplicitAxis ?? resolved;
    }

    /// <summary>"axis k" for an explicit axis, else the data format's name (channels_last, channels_first).</summary>
    public override string ToString() => ExplicitAxis is int axis ? $"axis {axis}" : Format.Name();
}
