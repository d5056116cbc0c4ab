namespace BnNative.Tests.Properties.Normalization;

/// <summary>Several training steps: the first step's settings and state, then one batch per step (all of one shape).</summary>
/// <param name="First">The first step (its input is <c>Batches[0]</c>).</param>
/// <param name="Batches">The input of each step, in order.</param>
public sealed record TrainingRun(NormalizationCase First, TensorCase[] Batches)
{
    /// <summary>The case for step <paramref name="step"/>: the first step's settings with that step's batch.</summary>
    public NormalizationCase Step(int step) => First with { Tensor = Batches[step] };

    /// <inheritdoc />
    public override string ToString() => $"{Batches.Length} steps, first: {First}";
}
