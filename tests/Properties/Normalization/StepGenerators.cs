using FsCheck;
using FsCheck.Fluent;

namespace BnNative.Tests.Properties.Normalization;

/// <summary>
/// The suite's compositions of the package's <see cref="NormalizationGenerators"/>: a case with a seed for what a
/// property draws itself, a case with a destination layout, and runs of several steps.
/// </summary>
public static class StepGenerators
{
    /// <summary>A case and a seed for what the property draws itself (loss weights, sampled positions).</summary>
    public static Gen<(T Case, int Seed)> WithSeed<T>(Gen<T> cases) =>
        from value in cases
        from seed in Gen.Choose(0, int.MaxValue)
        select (value, seed);

    /// <summary>A case and a layout for a destination view of the case's shape.</summary>
    public static Gen<(NormalizationCase Case, StorageLayout Destination)> Destinations(Gen<NormalizationCase> cases) =>
        from step in cases
        from layout in TensorGenerators.Layouts(step.Tensor.Rank)
        select (step, layout);

    /// <summary>A step and <c>steps − 1</c> further batches of the same shape, type, axis and layout (the first batch is the step's input).</summary>
    public static Gen<TrainingRun> Runs(Gen<NormalizationCase> cases, int maxSteps) =>
        from step in cases
        from seeds in Gen.Choose(1, maxSteps).SelectMany(steps => Gen.ArrayOf(Gen.Choose(0, int.MaxValue), steps - 1))
        select new TrainingRun(step, [step.Tensor, .. seeds.Select(seed => step.Tensor.Redraw(ValueDraws.Standard, seed))]);
}
