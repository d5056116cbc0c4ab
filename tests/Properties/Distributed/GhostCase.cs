using BnNative.Moments;
using BnNative.Normalization;
using BnNative.Tests.Properties.Normalization;

namespace BnNative.Tests.Properties.Distributed;

/// <summary>A ghost batch norm step (SPEC §6): a step whose batch (axis 0) is a multiple of the virtual batch size.</summary>
/// <param name="Step">The input, state and settings.</param>
/// <param name="VirtualBatchSize">V, samples per chunk; it divides the batch size.</param>
public sealed record GhostCase(NormalizationCase Step, int VirtualBatchSize)
{
    /// <summary>The chunks of V samples, in batch order.</summary>
    public BatchPart[] Chunks => BatchPart.Chunks(Step.Tensor.Lengths[0], VirtualBatchSize);

    /// <summary>The step's settings with ghost batch norm on, the given backend, EMA update mode and EMA source.</summary>
    public BatchNormConfig Config(MomentsBackend moments, EmaUpdate update, GhostEmaSource source) =>
        Step.Config(moments, update) with { VirtualBatchSize = VirtualBatchSize, GhostEma = source };

    /// <inheritdoc />
    public override string ToString() => $"V = {VirtualBatchSize}, {Step}";
}
