using System.Numerics.Tensors;
using BnNative.Moments;
using BnNative.Normalization;
using BnNative.NumericsTensors;
using BnNative.Sync;
using BnNative.Tensors;

namespace BnNative.Tests.NumericsTensors;

/// <summary>The examples of docs/issue12/numerics-tensors.md, kept compiling and true.</summary>
public sealed class NumericsTensorsDocExampleTests
{
    [Fact]
    public void EntryPointExampleHolds()
    {
        float[] data = Enumerable.Range(0, 8 * 4 * 4 * 16).Select(i => (float)Math.Sin(i) + (i % 16)).ToArray();
        float[] gradient = Enumerable.Range(0, 8 * 4 * 4 * 16).Select(i => (float)Math.Cos(i)).ToArray();

        // --- as in the doc ---
        var x = Tensor.Create(data, [8, 4, 4, 16]);                     // NHWC: channels on axis 3
        var y = Tensor.CreateFromShape<float>([8, 4, 4, 16]);
        var state = BatchNormState<float>.Init(channels: 16);
        var config = new BatchNormConfig { EmaUpdate = EmaUpdate.Internal };

        TensorSpanTrainResult<float> step = TensorSpanBatchNorm.Train(x, state, config, y);
        BatchNormState<float> next = step.CommittedState;

        var dy = Tensor.Create(gradient, [8, 4, 4, 16]);
        var dx = Tensor.CreateFromShape<float>([8, 4, 4, 16]);
        ParameterGradients<float> grads = TensorSpanBatchNorm.Backward(dy, x, step, dx);

        float[] nchw = new float[8 * 16 * 4 * 4];
        var yAsNhwc = new TensorSpan<float>(nchw, [8, 4, 4, 16], [256, 4, 1, 16]);
        TensorSpanBatchNorm.Infer(x, next, config, yAsNhwc);

        ParameterGradients<float> inferenceGrads = TensorSpanBatchNorm.BackwardInference(dy, x, next, config, dx);

        // --- checks ---
        var view = TensorView<float>.Create(data, 8, 4, 4, 16);
        var expected = BatchNorm.Train(view, state, config);
        Assert.Equal(expected.Output.ToArray(), y.ToArray());
        Assert.Equal(expected.CommittedState, next);
        Assert.Equal(BatchNorm.Backward(TensorView<float>.Create(gradient, 8, 4, 4, 16), expected).GammaGradient, grads.GammaGradient);
        var inferred = BatchNorm.Infer(view, next, config);
        Assert.Equal(inferred.View.Permute(0, 3, 1, 2).ToArray(), nchw);
        var inference = BatchNorm.BackwardInference(TensorView<float>.Create(gradient, 8, 4, 4, 16), view, next, config);
        Assert.Equal(inference.InputGradient.ToArray(), dx.ToArray());
        Assert.Equal(inference.BetaGradient, inferenceGrads.BetaGradient);
    }

    [Fact]
    public void SynchronizedExampleHolds()
    {
        var state = BatchNormState<float>.Init(channels: 16);
        var config = new BatchNormConfig { EmaUpdate = EmaUpdate.Internal };
        float[][] parts = [.. Enumerable.Range(0, 2).Select(rank => Enumerable.Range(0, 4 * 4 * 4 * 16).Select(i => (float)Math.Sin(i + rank)).ToArray())];
        float[][] outputs = [new float[4 * 4 * 4 * 16], new float[4 * 4 * 4 * 16]];

        // --- as in the doc ---
        BatchNormState<float>[] states = ReplicaGroup.Run(2, exchange =>
            TensorSpanBatchNorm.Train(
                new ReadOnlyTensorSpan<float>(parts[exchange.Rank], [4, 4, 4, 16]), state, config,
                new TensorSpan<float>(outputs[exchange.Rank], [4, 4, 4, 16]), exchange).CommittedState);

        // --- checks ---
        var whole = BatchNorm.Train(TensorView<float>.Create(parts[0].Concat(parts[1]).ToArray(), 8, 4, 4, 16), state, config);
        Assert.Equal(states[0], states[1]);
        Assert.Equal(8 * 4 * 4, whole.BatchMoments.Count);
        for (int c = 0; c < 16; c++)
        {
            Assert.Equal(whole.NextState.MovingMean[c], states[0].MovingMean[c], 1e-6f);
            Assert.Equal(whole.NextState.MovingVariance[c], states[0].MovingVariance[c], 1e-5f);
        }
    }

    [Fact]
    public void ConversionExampleHolds()
    {
        float[] data = Enumerable.Range(0, 8 * 4 * 4 * 16).Select(i => (float)Math.Sin(i)).ToArray();
        var state = BatchNormState<float>.Init(channels: 16);
        var config = new BatchNormConfig();
        var x = Tensor.Create(data, [8, 4, 4, 16]);
        var dyView = TensorView<float>.Create(new float[data.Length], 8, 4, 4, 16);

        // --- as in the doc ---
        BatchMoments moments = TensorViewInterop.WithView(x.AsTensorSpan(), view => MomentsBackend.Auto.Compute(view, channelAxis: 3));

        using (PinnedTensorView<float> pinned = x.Pin())
        {
            BatchNormTrainResult<float> result = BatchNorm.Train(pinned.View, state, config);
            BatchNormGradients<float> gradients = BatchNorm.Backward(dyView, result);

            // --- checks (inside the pin) ---
            Assert.Equal(moments, result.BatchMoments);
            Assert.Equal(0f, gradients.BetaGradient![0]);
        }

        TensorSpan<float> span = BnNative.Tensors.Tensor<float>.Zeros(2, 3).View.AsTensorSpan();

        // --- checks ---
        Assert.Equal([2, 3], span.Lengths.ToArray());
        Assert.Equal(MomentsBackend.Auto.Compute(TensorView<float>.Create(data, 8, 4, 4, 16), 3), moments);
    }
}
