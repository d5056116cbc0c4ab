using BnNative.Collections;
using BnNative.IO;
using BnNative.Normalization;
using BnNative.Moments;
using BnNative.Tensors;

namespace BnNative.Tests.Core;

/// <summary>The README's API example, kept compiling and true.</summary>
public sealed class ReadmeExampleTests
{
    [Fact]
    public void ApiExampleHolds()
    {
        float[] data = new float[8 * 16 * 32 * 32];
        var random = new Random(7);
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = (float)(random.NextDouble() * 4) + (i / (32 * 32) % 16);
        }

        var x = TensorView<float>.Create(data, 8, 16, 32, 32);
        int axis = ChannelAxis.Resolve(x.Rank, DataFormats.Parse("NCHW"));
        BatchMoments m = MomentsBackend.Auto.Compute(x, axis);
        ReadOnlyVector<double> variance = m.Variance();
        ReadOnlyVector<double> unbiased = m.Variance(VarianceEstimator.Unbiased);

        var nhwc = x.Permute(0, 2, 3, 1);
        BatchMoments same = MomentsBackend.Simd.Compute(nhwc, channelAxis: 3);

        var first = MomentsBackend.Simd.Compute(x.Slice(0, 0, 4), 1);
        var second = MomentsBackend.Simd.Compute(x.Slice(0, 4, 4), 1);
        BatchMoments whole = BatchMoments.Merge(first, second);

        Assert.Equal(1, axis);
        Assert.Equal(8 * 32 * 32, m.Count);
        var reference = MomentsBackend.Reference.Compute(x, axis);
        for (int c = 0; c < 16; c++)
        {
            // Float input: partial sums in float over at most FoldLength elements, so about 1e-7 relative.
            double meanTolerance = 1e-6 * (Math.Abs(reference.Mean[c]) + 1);
            Assert.Equal(reference.Mean[c], m.Mean[c], meanTolerance);
            Assert.Equal(reference.M2[c] / m.Count, variance[c], 1e-5 * variance[c]);
            Assert.Equal(variance[c] * m.Count / (m.Count - 1), unbiased[c], 1e-9);
            Assert.Equal(m.Mean[c], same.Mean[c], meanTolerance);
            Assert.Equal(m.M2[c], same.M2[c], 1e-5 * m.M2[c]);
            Assert.Equal(m.Mean[c], whole.Mean[c], meanTolerance);
            Assert.Equal(m.M2[c], whole.M2[c], 1e-5 * m.M2[c]);
        }
    }

    [Fact]
    public void BatchNormExampleHolds()
    {
        var random = new Random(11);
        var data = new float[4 * 16 * 5 * 5];
        var gradient = new float[data.Length];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = (float)random.NextDouble() * 3;
            gradient[i] = (float)random.NextDouble() - 0.5f;
        }

        var x = TensorView<float>.Create(data, 4, 16, 5, 5);
        var dy = TensorView<float>.Create(gradient, 4, 16, 5, 5);
        var destination = Tensor<float>.Zeros(4, 16, 5, 5).View;

        var config = new BatchNormConfig { DataFormat = DataFormat.ChannelsFirst };
        var state = BatchNormState<float>.Init(channels: 16);
        BatchNormTrainResult<float> step = BatchNorm.Train(x, state, config);
        TensorView<float> y = step.Output;
        BatchNormState<float> next = step.CommittedState;
        BatchNormGradients<float> grads = BatchNorm.Backward(dy, step);
        BatchNorm.Infer(x, next, config, destination);
        var torchLike = BatchNormConfig.PyTorch with { Momentum = BatchNormConfig.FromPyTorchMomentum(0.1) };
        var debiased = config with { EmaAverage = EmaAverage.ZeroDebiased };
        string path = Path.Combine(Path.GetTempPath(), $"bnnative-readme-{Guid.NewGuid():N}.npz");
        try
        {
            BatchNormStateFile.Save(path, next);
            var restored = BatchNormStateFile.Load<float>(path);
            Assert.Equal(next, restored);
        }
        finally
        {
            File.Delete(path);
        }

        Assert.Equal(state, step.NextState);
        Assert.Equal(step.PendingTransition!.Apply(state), next);
        Assert.Equal(next, BatchNorm.Train(x, state, config with { EmaUpdate = EmaUpdate.Internal }).NextState);
        Assert.Equal(1, next.Step);
        Assert.Equal(x.ElementCount, y.ElementCount);
        Assert.Equal(16, grads.GammaGradient!.Length);
        Assert.Equal(0.9, torchLike.Momentum, 12);
        Assert.Equal(EmaAverage.ZeroDebiased, debiased.EmaAverage);
        Assert.Equal(BatchNorm.Infer(x, next, config).Data, destination.ToArray());
    }

    [Fact]
    public void LayerExampleHolds()
    {
        var random = new Random(13);
        var x = TensorView<float>.Create(Enumerable.Range(0, 4 * 16 * 5 * 5).Select(_ => (float)random.NextDouble() * 3).ToArray(), 4, 16, 5, 5);
        var dy = TensorView<float>.Create(Enumerable.Range(0, 4 * 16 * 5 * 5).Select(_ => (float)random.NextDouble() - 0.5f).ToArray(), 4, 16, 5, 5);
        var y = Tensor<float>.Zeros(4, 16, 5, 5).View;
        var dx = Tensor<float>.Zeros(4, 16, 5, 5).View;
        var config = new BatchNormConfig { DataFormat = DataFormat.ChannelsFirst };
        const int steps = 3;

        var layer = new BatchNormLayer<float>(channels: 16, config);
        for (int step = 0; step < steps; step++)
        {
            layer.Train(x, y);
            layer.Backward(dy, dx);
            for (int c = 0; c < layer.Channels; c++)
            {
                layer.Gamma[c] -= 0.01f * layer.GammaGradient[c];
                layer.Beta[c] -= 0.01f * layer.BetaGradient[c];
            }
        }

        layer.Infer(x, y);
        BatchNormState<float> snapshot = layer.ToState();

        // The same loop with the pure functions gives the same state and the same inference output.
        var state = BatchNormState<float>.Init(16);
        for (int step = 0; step < steps; step++)
        {
            var result = BatchNorm.Train(x, state, config);
            var grads = BatchNorm.Backward(dy, result);
            state = result.CommittedState with
            {
                Gamma = ReadOnlyVector<float>.Create(state.Gamma.Select((g, c) => g - (0.01f * grads.GammaGradient![c])).ToArray()),
                Beta = ReadOnlyVector<float>.Create(state.Beta.Select((b, c) => b - (0.01f * grads.BetaGradient![c])).ToArray()),
            };
        }

        Assert.Equal(state, snapshot);
        Assert.Equal(steps, snapshot.Step);
        Assert.Equal(BatchNorm.Infer(x, state, config).Data, y.ToArray());
    }
}
