using System.Numerics;
using BnNative.Moments;
using BnNative.Normalization;
using BnNative.Tensors;
using FsCheck.Fluent;
using static BnNative.Testing.NormalizationGenerators;
using static BnNative.Testing.TensorGenerators;
using static BnNative.Tests.Properties.Normalization.StepGenerators;

namespace BnNative.Tests.Properties.Normalization;

/// <summary>
/// <see cref="BatchNormLayer{T}"/> is the in-place form of the pure step: over a run of batches (any layout, channel
/// axis, element type, EMA update and average), each layer step gives bitwise the output, the committed moving
/// statistics and step count, the batch mean and the inverse std of <see cref="BatchNorm.Train{T}(TensorView{T}, BatchNormState{T}, BatchNormConfig, TensorView{T})"/>
/// on the state carried forward by <see cref="BatchNormTrainResult{T}.CommittedState"/>; its backward pass gives the
/// bits of <see cref="BatchNorm.Backward{T}(TensorView{T}, BatchNormTrainResult{T}, TensorView{T})"/>, its
/// inference the bits of <see cref="BatchNorm.Infer{T}(TensorView{T}, BatchNormState{T}, BatchNormConfig, TensorView{T})"/>,
/// and its inference backward those of <see cref="BatchNorm.BackwardInference{T}(TensorView{T}, TensorView{T}, BatchNormState{T}, BatchNormConfig, TensorView{T})"/>
/// (zeros for an unused parameter's gradient, which the record returns as null).
/// </summary>
public sealed class LayerProperties
{
    private const int MaxTest = 100;

    private const int MaxSteps = 4;

    [Fact]
    public void LayerStepsAreTheRecordStepsBitForBit() =>
        PropertyCheck.ForAll(
            from run in Runs(Cases(Inputs(BothTypes)), MaxSteps)
            from update in Gen.Elements(EmaUpdate.Internal, EmaUpdate.Collection, EmaUpdate.Skip)
            from average in Gen.Elements(EmaAverage.Exponential, EmaAverage.Cumulative, EmaAverage.ZeroDebiased)
            from threads in Gen.Choose(1, 2)
            select (run, update, average, threads),
            c => c.run.First.Run(_ => Check<float>(c.run, c.update, c.average, c.threads), _ => Check<double>(c.run, c.update, c.average, c.threads)),
            MaxTest);

    private static void Check<T>(TrainingRun run, EmaUpdate update, EmaAverage average, int threads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var config = run.First.Config(MomentsBackend.Auto, update) with
        {
            EmaAverage = average,
            Momentum = average == EmaAverage.ZeroDebiased ? Math.Min(run.First.Momentum, 0.999) : run.First.Momentum,
            Threads = threads,
        };
        var state = run.First.State<T>();
        var layer = new BatchNormLayer<T>(state, config);
        for (int k = 0; k < run.Batches.Length; k++)
        {
            var x = run.Step(k).Input<T>();
            var expected = BatchNorm.Train(x, state, config);
            var output = Tensor<T>.Zeros(x.Lengths);
            layer.Train(x, output.View);
            AssertBits(expected.Output.ToArray(), output.View.ToArray(), $"step {k} output");
            state = expected.CommittedState;
            AssertBits(state.MovingMean.AsSpan(), layer.MovingMean, $"step {k} moving mean");
            AssertBits(state.MovingVariance.AsSpan(), layer.MovingVariance, $"step {k} moving variance");
            Assert.Equal(state.Step, layer.Step);
            Assert.Equal(expected.BatchMoments.Count, layer.BatchCount);
            AssertBits(expected.BatchMoments.Mean.AsSpan(), layer.BatchMean, $"step {k} batch mean");
            AssertBits(expected.InverseStd.AsSpan(), layer.InverseStd, $"step {k} inverse std");

            var dyValues = new T[x.ElementCount];
            for (int i = 0; i < dyValues.Length; i++)
            {
                dyValues[i] = T.CreateTruncating(Math.Sin((i * 0.37) + k));
            }

            var dy = TensorView<T>.Create(dyValues, x.Lengths);
            var gradients = BatchNorm.Backward(dy, expected);
            var dx = Tensor<T>.Zeros(x.Lengths);
            layer.Backward(dy, dx.View);
            AssertBits(gradients.InputGradient.ToArray(), dx.View.ToArray(), $"step {k} dx");
            if (config.Scale)
            {
                AssertBits(gradients.GammaGradient!.AsSpan(), layer.GammaGradient, $"step {k} dgamma");
            }

            if (config.Center)
            {
                AssertBits(gradients.BetaGradient!.AsSpan(), layer.BetaGradient, $"step {k} dbeta");
            }
        }

        Assert.Equal(state, layer.ToState());
        var last = run.Step(run.Batches.Length - 1).Input<T>();
        var inferred = Tensor<T>.Zeros(last.Lengths);
        layer.Infer(last, inferred.View);
        AssertBits(BatchNorm.Infer(last, state, config).View.ToArray(), inferred.View.ToArray(), "inference output");

        var weights = TensorView<T>.Create(Enumerable.Range(0, (int)last.ElementCount).Select(i => T.CreateTruncating(Math.Cos(i * 0.29))).ToArray(), last.Lengths);
        var expectedInference = BatchNorm.BackwardInference(weights, last, state, config);
        var inferenceDx = Tensor<T>.Zeros(last.Lengths);
        layer.BackwardInference(weights, last, inferenceDx.View);
        AssertBits(expectedInference.InputGradient.ToArray(), inferenceDx.View.ToArray(), "inference dx");
        AssertBits(expectedInference.GammaGradient is { } g ? g.AsSpan() : new T[state.Channels], layer.GammaGradient, "inference dgamma");
        AssertBits(expectedInference.BetaGradient is { } b ? b.AsSpan() : new T[state.Channels], layer.BetaGradient, "inference dbeta");
    }

    private static void AssertBits<T>(ReadOnlySpan<T> expected, ReadOnlySpan<T> actual, string what)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (BitConverter.DoubleToInt64Bits(double.CreateTruncating(expected[i])) != BitConverter.DoubleToInt64Bits(double.CreateTruncating(actual[i])))
            {
                Assert.Fail($"{what}: element {i} is {actual[i]}, the record step gives {expected[i]}");
            }
        }
    }
}
