namespace BnNative.Tensors;

/// <summary>Resolves which axis of a tensor holds the channels (SPEC §2).</summary>
public static class ChannelAxis
{
    /// <summary>
    /// The channel axis for a tensor of rank <paramref name="rank"/>. An explicit <paramref name="axis"/> wins
    /// (negative counts from the end, −1 is the last axis). Otherwise tensorpack's defaults: rank 2 → axis 1
    /// (the data format is ignored); rank ≥ 3 → the last axis for <see cref="DataFormat.ChannelsLast"/>
    /// (NLC, NHWC, NDHWC) and axis 1 for <see cref="DataFormat.ChannelsFirst"/> (NCL, NCHW, NCDHW).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rank"/> is below 2, or <paramref name="axis"/>
    /// is outside [−rank, rank−1].</exception>
    public static int Resolve(int rank, DataFormat format = DataFormat.ChannelsLast, int? axis = null)
    {
        if (rank < 2)
        {
            throw new ArgumentOutOfRangeException(
                nameof(rank), rank, $"Batch normalization needs a tensor of rank ≥ 2 (a batch axis and a channel axis); got rank {rank}.");
        }

        if (axis is int explicitAxis)
        {
            if (explicitAxis < -rank || explicitAxis >= rank)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(axis), explicitAxis, $"axis {explicitAxis} is outside [{-rank}, {rank - 1}] for a tensor of rank {rank}.");
            }

            return explicitAxis < 0 ? explicitAxis + rank : explicitAxis;
        }

        if (rank == 2)
        {
            return 1;
        }

        return format switch
        {
            DataFormat.ChannelsLast => rank - 1,
            DataFormat.ChannelsFirst => 1,
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown data format."),
        };
    }
}
