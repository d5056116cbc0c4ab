using BnNative.Tests.Properties.Normalization;

namespace BnNative.Tests.Properties.Distributed;

/// <summary>
/// A synchronized step (SPEC §7): one batch cut on axis 0 into the consecutive shares of k replicas, of uneven sizes,
/// some possibly empty; the batch is the concatenation of the shares.
/// </summary>
/// <param name="Step">The whole batch, the state and the settings.</param>
/// <param name="Shares">Samples of each replica, in rank order; they add up to the batch size.</param>
public sealed record SyncCase(NormalizationCase Step, int[] Shares)
{
    /// <summary>Each replica's part of the batch, in rank order.</summary>
    public BatchPart[] Parts => BatchPart.Consecutive(Shares);

    /// <inheritdoc />
    public override string ToString() => $"{Shares.Length} replicas with [{string.Join(", ", Shares)}] samples, {Step}";
}
