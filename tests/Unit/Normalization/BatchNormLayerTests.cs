using BnNative.Collections;
using BnNative.Moments;
using BnNative.Normalization;
using BnNative.Tensors;

namespace BnNative.Tests.Normalization;

/// <summary>
/// <see cref="BatchNormLayer{T}"/>: no managed allocation per training step, backward pass or inference call (over a
/// thousand rounds, at most a one-off refill of a pooled buffer); every
/// error path names its parameter; a step that fails leaves the layer and the destination as they were; gamma written
/// in place is what the next step uses. (Bitwise agreement with the record step: LayerProperties.)
/// </summary>
public sealed class BatchNormLayerTests
{
    [Theory]
    [InlineData(1, 32, 64)]
    [InlineData(2, 32, 64)]
    [InlineData(1, 8, 256)]
    [InlineData(2, 64, 512)]
    public void NoCallAllocates(int threads, int batch, int channels)
    {
        var x = Filled(batch, channels);
        var dy = Filled(batch, channels, phase: 1);
        var y = Tensor<float>.Zeros(batch, channels).View;
        var dx = Tensor<float>.Zeros(batch, channels).View;
        var layer = new BatchNormLayer<float>(channels, new BatchNormConfig { Threads = threads });
        for (int i = 0; i < 50; i++)
        {
            layer.Train(x, y);
            layer.Backward(dy, dx);
            layer.Infer(x, y);
            layer.BackwardInference(dy, x, dx);
        }

        const int rounds = 1000;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < rounds; i++)
        {
            layer.Train(x, y);
            layer.Backward(dy, dx);
            layer.Infer(x, y);
            layer.BackwardInference(dy, x, dx);
        }

        long bytes = GC.GetAllocatedBytesForCurrentThread() - before;

        // Allowance: a one-off refill of a pooled buffer while other tests run in parallel (a few KB once); the record
        // functions allocate ≥ 680 bytes in every backward call and ≥ 3 KB in every training step, so any per-call
        // allocation fails by far.
        Assert.True(bytes < 16 * rounds, $"{rounds} rounds of Train, Backward, Infer and BackwardInference allocated {bytes} bytes on the calling thread.");
    }

    [Fact]
    public void AStepThatThrowsLeavesTheLayerAndTheDestinationAsTheyWere()
    {
        var layer = new BatchNormLayer<double>(3, new BatchNormConfig { DataFormat = DataFormat.ChannelsFirst, EmaUpdate = EmaUpdate.Internal });
        var good = TensorView<double>.Create(Enumerable.Range(0, 24).Select(i => (double)(i % 7)).ToArray(), 2, 3, 2, 2);
        var y = Tensor<double>.Zeros(2, 3, 2, 2).View;
        layer.Train(good, y);
        var before = Snapshot(layer);

        var bad = good.ToArray();
        bad[5] = double.NaN;
        var destination = Tensor<double>.FromArray(Enumerable.Repeat(42.0, 24).ToArray(), 2, 3, 2, 2).View;
        var error = Assert.Throws<NonFiniteStatisticsException>(() => layer.Train(TensorView<double>.Create(bad, 2, 3, 2, 2), destination));

        Assert.Equal("x", error.ParamName);
        Assert.Equal([1], error.Channels);
        Assert.All(destination.ToArray(), value => Assert.Equal(42.0, value));
        var after = Snapshot(layer);
        Assert.Equal(before.State, after.State);
        Assert.Equal(before.Mean, after.Mean);
        Assert.Equal(before.InverseStd, after.InverseStd);
        Assert.Equal(before.Count, after.Count);
    }

    [Fact]
    public void ANextMovingVarianceThatOverflowsIsRefusedWithTheRecordStepsMessage()
    {
        var x = TensorView<float>.Create(new[] { 1.8e19f, -1.8e19f, 1.8e19f, -1.8e19f }, 4, 1);
        var config = new BatchNormConfig { Momentum = 0, MovingVariance = VarianceEstimator.Unbiased, EmaUpdate = EmaUpdate.Internal };
        var layer = new BatchNormLayer<float>(1, config);

        var error = Assert.Throws<NonFiniteStatisticsException>(() => layer.Train(x, Tensor<float>.Zeros(4, 1).View));
        var expected = Assert.Throws<NonFiniteStatisticsException>(() => BatchNorm.Train(x, BatchNormState<float>.Init(1), config));

        Assert.Equal(expected.Message, error.Message);
        Assert.Equal(0, layer.Step);
        Assert.Equal(1f, layer.MovingVariance[0]);
    }

    [Fact]
    public void GammaWrittenInPlaceIsUsedByTheNextStep()
    {
        var x = Filled(16, 8);
        var layer = new BatchNormLayer<float>(8);
        layer.Gamma.Fill(2f);
        layer.Beta.Fill(-1f);
        var y = Tensor<float>.Zeros(16, 8).View;
        layer.Train(x, y);

        var state = BatchNormState<float>.Init(8) with { Gamma = ReadOnlyVector<float>.Filled(8, 2f), Beta = ReadOnlyVector<float>.Filled(8, -1f) };
        Assert.Equal(BatchNorm.Train(x, state).Output.ToArray(), y.ToArray());
        Assert.Equal(state with { MovingMean = layer.ToState().MovingMean, MovingVariance = layer.ToState().MovingVariance, Step = 1 }, layer.ToState());
    }

    [Fact]
    public void SkipLeavesTheMovingStatisticsAndKeepsTheBatchStatistics()
    {
        var layer = new BatchNormLayer<double>(BatchNormState<double>.Init(4), new BatchNormConfig { EmaUpdate = EmaUpdate.Skip });
        layer.Train(Filled64(10, 4), Tensor<double>.Zeros(10, 4).View);

        Assert.Equal(BatchNormState<double>.Init(4), layer.ToState());
        Assert.Equal(10, layer.BatchCount);
        Assert.NotEqual(0.0, layer.BatchMean[1]);
    }

    [Fact]
    public void UnsupportedSettingsAreRefusedAtConstruction()
    {
        Assert.Equal("config", Assert.Throws<ArgumentException>(() => new BatchNormLayer<float>(4, new BatchNormConfig { VirtualBatchSize = 2 })).ParamName);
        var renorm = new BatchNormConfig { Renorm = new BatchRenorm(3, 5) };
        Assert.Equal("config", Assert.Throws<ArgumentException>(() => new BatchNormLayer<float>(4, renorm)).ParamName);
        var withRenormState = BatchNormState<float>.Init(4, renorm);
        Assert.Equal("state", Assert.Throws<ArgumentException>(() => new BatchNormLayer<float>(withRenormState)).ParamName);
        Assert.Throws<ArgumentNullException>(() => new BatchNormLayer<float>(null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchNormLayer<float>(0));
    }

    [Fact]
    public void BadInputsNameTheirParameter()
    {
        var layer = new BatchNormLayer<float>(8);
        var x = Filled(4, 8);
        var y = Tensor<float>.Zeros(4, 8).View;

        Assert.Throws<InvalidOperationException>(() => layer.Backward(x, y));
        Assert.Equal("layer", Assert.Throws<ArgumentException>(() => layer.Train(Filled(4, 6), Tensor<float>.Zeros(4, 6).View)).ParamName);
        Assert.Equal("destination", Assert.Throws<ArgumentException>(() => layer.Train(x, Tensor<float>.Zeros(4, 9).View)).ParamName);
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => layer.Train(Tensor<float>.Zeros(8).View, y)).ParamName);
        Assert.Equal("destination", Assert.Throws<ArgumentException>(() => layer.Infer(x, Tensor<float>.Zeros(5, 8).View)).ParamName);

        layer.Train(x, y);
        Assert.Equal("dy", Assert.Throws<ArgumentException>(() => layer.Backward(Filled(5, 8), Tensor<float>.Zeros(4, 8).View)).ParamName);
        Assert.Equal("inputGradient", Assert.Throws<ArgumentException>(() => layer.Backward(x, Tensor<float>.Zeros(5, 8).View)).ParamName);
        Assert.Throws<ArgumentNullException>(() => layer.Backward(null!, y));
        Assert.Equal("dy", Assert.Throws<ArgumentException>(() => layer.BackwardInference(Filled(5, 8), x, y)).ParamName);
        Assert.Equal("inputGradient", Assert.Throws<ArgumentException>(() => layer.BackwardInference(x, x, Tensor<float>.Zeros(4, 7).View)).ParamName);
        Assert.Equal("layer", Assert.Throws<ArgumentException>(() => layer.BackwardInference(Filled(4, 6), Filled(4, 6), Tensor<float>.Zeros(4, 6).View)).ParamName);
        Assert.Throws<ArgumentNullException>(() => layer.BackwardInference(null!, x, y));
    }

    [Fact]
    public void AnUnbiasedMovingVarianceNeedsTwoElementsPerChannel()
    {
        var layer = new BatchNormLayer<float>(3, new BatchNormConfig { DataFormat = DataFormat.ChannelsFirst, EmaUpdate = EmaUpdate.Internal });

        var error = Assert.Throws<ArgumentException>(() => layer.Train(Tensor<float>.Zeros(1, 3, 1, 1).View, Tensor<float>.Zeros(1, 3, 1, 1).View));

        Assert.Equal("x", error.ParamName);
        Assert.Contains("n = 1", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, layer.Step);
    }

    private static (BatchNormState<double> State, double[] Mean, double[] InverseStd, long Count) Snapshot(BatchNormLayer<double> layer) =>
        (layer.ToState(), layer.BatchMean.ToArray(), layer.InverseStd.ToArray(), layer.BatchCount);

    private static TensorView<float> Filled(int batch, int channels, int phase = 0) =>
        TensorView<float>.Create(Enumerable.Range(0, batch * channels).Select(i => (float)Math.Sin((i * 0.61) + phase)).ToArray(), batch, channels);

    private static TensorView<double> Filled64(int batch, int channels) =>
        TensorView<double>.Create(Enumerable.Range(0, batch * channels).Select(i => Math.Cos(i * 0.43)).ToArray(), batch, channels);
}
