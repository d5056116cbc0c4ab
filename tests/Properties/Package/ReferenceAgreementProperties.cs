using System.Runtime.CompilerServices;
using BnNative.Collections;
using BnNative.Moments;
using BnNative.Normalization;
using BnNative.Tensors;
using BnNative.Tests.Properties.Distributed;
using static BnNative.Testing.NormalizationGenerators;
using static BnNative.Testing.TensorGenerators;
using static BnNative.Tests.Properties.Normalization.NormalizationAssert;
using static BnNative.Tests.Properties.Normalization.StepGenerators;

namespace BnNative.Tests.Properties.Package;

/// <summary>
/// The package's reference backward pass against the library's in double on generated steps (the library's is checked
/// against central differences in BackwardProperties), so the oracle users get is right beyond the hand-worked cases:
/// training within the rounding of two double computations of the batch moments (<see cref="MomentBounds"/>),
/// inference within a few roundings of each gradient's scale.
/// </summary>
public sealed class ReferenceAgreementProperties
{
    private const int MaxTest = 100;

    /// <summary>Most elements of a case: the oracle and the library each make a few passes.</summary>
    private const int MaxAgreementElements = 1500;

    private static readonly double DoubleRoundoff = Math.ScaleB(1, -53);

    /// <summary>dx, dgamma and dbeta of <see cref="ReferenceBatchNorm.Backward"/> against <see cref="BatchNorm.Backward{T}(TensorView{T}, BatchNormTrainResult{T})"/>.</summary>
    [Fact]
    public void TrainingBackwardAgreesWithTheLibrary() =>
        ForAllWeighted(
            (step, w) =>
            {
                var train = BatchNorm.Train(step.Input<double>(), step.State<double>(), step.Config(MomentsBackend.Reference));
                var library = BatchNorm.Backward(step.Tensor.Layout.Store<double>(step.Tensor.Lengths, w), train);
                var reference = ReferenceBatchNorm.Backward(step, w);

                var bounds = MomentBounds.DoubleLoop(step.Tensor).Plus(MomentBounds.DoubleLoop(step.Tensor));
                var whole = new BatchPart(0, step.Tensor.Lengths[0]);
                bounds.AssertInputGradientClose(step, w, whole, reference.InputGradient, Values(library.InputGradient));
                bounds.AssertParameterGradientsClose(step, w, AsLibraryGradients(step, reference), library);
            });

    /// <summary>
    /// <see cref="ReferenceBatchNorm.BackwardInference"/> against <see cref="BatchNorm.BackwardInference{T}(TensorView{T}, TensorView{T}, BatchNormState{T}, BatchNormConfig)"/>:
    /// dx = gamma/σ·dy within 4u of |gamma/σ·dy|; dgamma and dbeta, sums of n terms, within 16n·u of Σ|dy·x̂| and Σ|dy|.
    /// </summary>
    [Fact]
    public void InferenceBackwardAgreesWithTheLibrary() =>
        ForAllWeighted(
            (step, w) =>
            {
                var library = BatchNorm.BackwardInference(
                    step.Tensor.Layout.Store<double>(step.Tensor.Lengths, w), step.Input<double>(), step.State<double>(), step.Config(MomentsBackend.Reference));
                var reference = ReferenceBatchNorm.BackwardInference(step, w);

                var index = step.Index;
                var gamma = step.EffectiveGamma;
                var spread = step.MovingVariance.Select(v => Math.Sqrt(v + step.Epsilon)).ToArray();
                var dx = Values(library.InputGradient);
                var gammaScale = new double[step.Channels];
                var betaScale = new double[step.Channels];
                for (int i = 0; i < w.Length; i++)
                {
                    int c = index.At(i);
                    Within($"dx[{i}]", reference.InputGradient[i], dx[i], 4 * DoubleRoundoff * Math.Abs(gamma[c] / spread[c] * w[i]));
                    gammaScale[c] += Math.Abs(w[i] * (step.Tensor.Values[i] - step.MovingMean[c]) / spread[c]);
                    betaScale[c] += Math.Abs(w[i]);
                }

                double sums = 16 * step.Tensor.CountPerChannel * DoubleRoundoff;
                AssertSumsClose("dgamma", reference.GammaGradient, library.GammaGradient, gammaScale, sums);
                AssertSumsClose("dbeta", reference.BetaGradient, library.BetaGradient, betaScale, sums);
            });

    /// <summary>Checks <paramref name="property"/> on double steps with loss weights w uniform in [−1, 1] (passed as dy).</summary>
    private static void ForAllWeighted(Action<NormalizationCase, double[]> property, [CallerMemberName] string name = "") =>
        PropertyCheck.ForAll(
            WithSeed(Cases(Inputs(DoubleOnly, MaxAgreementElements))),
            pair => property(pair.Case, DistributedGenerators.Weights(pair.Case.Tensor, new Random(pair.Seed))),
            MaxTest,
            name);

    private static BatchNormGradients<double> AsLibraryGradients(NormalizationCase step, ReferenceGradients reference) =>
        new(
            TensorView<double>.Create(reference.InputGradient, step.Tensor.Lengths),
            reference.GammaGradient is { } dgamma ? ReadOnlyVector.Create(dgamma) : null,
            reference.BetaGradient is { } dbeta ? ReadOnlyVector.Create(dbeta) : null);

    private static void AssertSumsClose(string what, double[]? expected, ReadOnlyVector<double>? actual, double[] scale, double relative)
    {
        Assert.Equal(expected is null, actual is null);
        for (int c = 0; expected is not null && c < expected.Length; c++)
        {
            Within($"{what}[{c}]", expected[c], actual![c], relative * scale[c]);
        }
    }
}
