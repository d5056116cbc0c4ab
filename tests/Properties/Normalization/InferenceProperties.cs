using System.Numerics;
using BnNative.Moments;
using BnNative.Normalization;
using static BnNative.Tests.Properties.Normalization.NormalizationAssert;
using static BnNative.Testing.NormalizationGenerators;
using static BnNative.Testing.TensorGenerators;
using static BnNative.Tests.Properties.Normalization.StepGenerators;

namespace BnNative.Tests.Properties.Normalization;

/// <summary>
/// SPEC §4, inference: y = (x − moving_mean)·gamma/sqrt(moving_var + eps) + beta against the double-precision
/// reference, for float and double, ranks 2–5, every channel axis and layout; and inference into a destination view.
/// </summary>
public sealed class InferenceProperties
{
    private const int MaxTest = 100;

    /// <summary><see cref="BatchNorm.Infer{T}(Tensors.TensorView{T}, BatchNormState{T}, BatchNormConfig)"/> against <see cref="ReferenceBatchNorm.Infer"/>.</summary>
    [Fact]
    public void InferenceIsTheAffineMapOfTheMovingStatistics() =>
        PropertyCheck.ForAll(
            Cases(Inputs(BothTypes)),
            step => OutputTolerance.Inference(step).Verify(
                ReferenceBatchNorm.Infer(step),
                step.Tensor.Type == ElementType.Single ? Infer<float>(step) : Infer<double>(step)),
            MaxTest);

    /// <summary>Infer into a destination view (any storage order, padded, offset) writes exactly the allocating Infer's output and nothing else.</summary>
    [Fact]
    public void InferIntoADestinationViewEqualsTheAllocatingInfer() =>
        PropertyCheck.ForAll(
            Destinations(Cases(Inputs(BothTypes))),
            pair => pair.Case.Run(step => InferInto<float>(step, pair.Destination), step => InferInto<double>(step, pair.Destination)),
            MaxTest);

    private static double[] Infer<T>(NormalizationCase step)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Values(BatchNorm.Infer(step.Input<T>(), step.State<T>(), step.Config(MomentsBackend.Reference)).View);

    private static void InferInto<T>(NormalizationCase step, StorageLayout layout)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var config = step.Config(MomentsBackend.Reference);
        var destination = layout.Store<T>(step.Tensor.Lengths, new double[step.Tensor.Values.Length]);
        BatchNorm.Infer(step.Input<T>(), step.State<T>(), config, destination);
        WroteOnlyTheView(BatchNorm.Infer(step.Input<T>(), step.State<T>(), config).View, destination);
    }
}
