using BnNative.Collections;
using BnNative.Moments;
using BnNative.Normalization;
using BnNative.Sync;
using BnNative.Tensors;
using BnNative.Tests.Core;

namespace BnNative.Tests.Distributed;

/// <summary>
/// Ghost batch norm's bad inputs (SPEC §6, §10): V must divide B, the batch axis cannot be the channel axis, V does not
/// combine with synchronized statistics, V ≥ 1, and n ≥ 2 per chunk for an unbiased moving variance. Inference ignores V.
/// </summary>
public sealed class GhostBatchNormValidationTests
{
    private static readonly BatchNormState<double> TwoChannels = BatchNormState<double>.Init(2) with { Step = 3 };

    [Theory]
    [InlineData(4, 3)]
    [InlineData(6, 4)]
    [InlineData(4, 8)]
    [InlineData(5, 2)]
    public void AVirtualBatchSizeThatDoesNotDivideTheBatchIsRejected(int batch, int virtualBatchSize)
    {
        var x = Rows(batch, 2);
        var destination = Tensor<double>.Zeros(batch, 2);
        var config = new BatchNormConfig { VirtualBatchSize = virtualBatchSize, EmaUpdate = EmaUpdate.Internal };

        var error = ParamAssert.Throws<ArgumentException>("x", () => BatchNorm.Train(x, TwoChannels, config, destination));

        Assert.Contains($"virtualBatchSize {virtualBatchSize}", error.Message, StringComparison.Ordinal);
        Assert.Contains($"batch size {batch}", error.Message, StringComparison.Ordinal);
        Assert.All(destination.Data, value => Assert.Equal(0, value));
        Assert.Equal(3, TwoChannels.Step);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-2)]
    public void TheBatchAxisCannotBeTheChannelAxis(int axis)
    {
        // [2 channels, 4 samples] with the channel axis on axis 0: there is no batch axis left to split.
        var x = Rows(2, 4);
        var config = new BatchNormConfig { Axis = axis, VirtualBatchSize = 2 };

        var error = ParamAssert.Throws<ArgumentException>("config", () => BatchNorm.Train(x, TwoChannels, config));

        Assert.Contains("axis is 0", error.Message, StringComparison.Ordinal);
        Assert.Equal(BatchNorm.Infer(x, TwoChannels, config with { VirtualBatchSize = null }).Data, BatchNorm.Infer(x, TwoChannels, config).Data);
    }

    [Fact]
    public void AVirtualBatchSizeDoesNotCombineWithSynchronizedStatistics()
    {
        var x = Rows(4, 2);
        var config = new BatchNormConfig { VirtualBatchSize = 2 };

        var error = ParamAssert.Throws<ArgumentException>("config", () => BatchNorm.Train(x, TwoChannels, config, SingleWorkerExchange.Instance));

        Assert.Contains("VirtualBatchSize 2", error.Message, StringComparison.Ordinal);
        ParamAssert.Throws<ArgumentException>(
            "config", () => BatchNorm.Train(x, TwoChannels, config, Tensor<double>.Zeros(4, 2).View, SingleWorkerExchange.Instance));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void AVirtualBatchSizeBelowOneIsRejectedBySetter(int value)
    {
        var error = ParamAssert.Throws<ArgumentOutOfRangeException>("VirtualBatchSize", () => new BatchNormConfig { VirtualBatchSize = value });

        Assert.Equal(value, error.ActualValue);
    }

    [Fact]
    public void TheGhostSettingsDefaultToTensorpackAndRejectUndefinedSources()
    {
        Assert.Null(BatchNormConfig.Tensorpack.VirtualBatchSize);
        Assert.Equal(GhostEmaSource.FirstChunk, BatchNormConfig.Tensorpack.GhostEma);
        Assert.Null(BatchNormConfig.Tensorpack.Renorm);
        Assert.Equal(1, new BatchNormConfig { VirtualBatchSize = 1 }.VirtualBatchSize);
        ParamAssert.Throws<ArgumentOutOfRangeException>("GhostEma", () => new BatchNormConfig { GhostEma = (GhostEmaSource)3 });
    }

    /// <summary>V = 1 leaves one sample per chunk: the unbiased moving variance has nothing to divide by (n − 1 = 0).</summary>
    [Theory]
    [InlineData(GhostEmaSource.FirstChunk)]
    [InlineData(GhostEmaSource.MeanOfChunks)]
    public void AnUnbiasedMovingVarianceNeedsTwoElementsPerChunk(GhostEmaSource source)
    {
        var unbiased = new BatchNormConfig { VirtualBatchSize = 1, GhostEma = source, MovingVariance = VarianceEstimator.Unbiased };

        foreach (var update in new[] { EmaUpdate.Internal, EmaUpdate.Collection })
        {
            var error = ParamAssert.Throws<ArgumentException>("x", () => BatchNorm.Train(Rows(4, 2), TwoChannels, unbiased with { EmaUpdate = update }));
            Assert.Contains("each ghost chunk", error.Message, StringComparison.Ordinal);
            Assert.Contains("n = 1", error.Message, StringComparison.Ordinal);
        }

        // tensorpack's rule feeds the unbiased variance for rank 4: [4, 1, 1, 2] has n = 1 per chunk, [4, 2, 1, 2] n = 2.
        var tensorpack = new BatchNormConfig { VirtualBatchSize = 1, GhostEma = source };
        ParamAssert.Throws<ArgumentException>("x", () => BatchNorm.Train(Rows(4, 1, 1, 2), TwoChannels, tensorpack));
        Assert.NotNull(BatchNorm.Train(Rows(4, 2, 1, 2), TwoChannels, tensorpack).PendingTransition);
    }

    [Fact]
    public void OneSamplePerChunkIsFineWhenNoChunkFeedsAnUnbiasedVarianceAlone()
    {
        var unbiased = new BatchNormConfig { VirtualBatchSize = 1, MovingVariance = VarianceEstimator.Unbiased, EmaUpdate = EmaUpdate.Internal };
        var x = Rows(4, 2);

        // All chunks merged: n = 4.
        var all = BatchNorm.Train(x, TwoChannels, unbiased with { GhostEma = GhostEmaSource.AllChunks }).NextState;
        var plain = BatchNorm.Train(x, TwoChannels, unbiased with { VirtualBatchSize = null }).NextState;
        Near.Equal(plain.MovingMean, all.MovingMean, what: "moving mean");
        Near.Equal(plain.MovingVariance, all.MovingVariance, what: "moving variance");

        // Skip feeds nothing; the biased estimator has no n − 1. One sample per chunk normalizes to beta.
        var skipped = BatchNorm.Train(x, TwoChannels, unbiased with { EmaUpdate = EmaUpdate.Skip });
        Assert.Same(TwoChannels, skipped.NextState);
        Assert.All(skipped.Output.ToArray(), value => Assert.Equal(0, value));
        var biased = BatchNorm.Train(x, TwoChannels, unbiased with { MovingVariance = VarianceEstimator.Biased });
        Assert.Equal([0.9 + (0.1 * 0), 0.9 + (0.1 * 0)], biased.NextState.MovingVariance);
    }

    /// <summary>SPEC §6: inference ignores V, so any batch size works (TF bug #23050 must not exist here).</summary>
    [Theory]
    [InlineData(3)]
    [InlineData(1)]
    [InlineData(5)]
    public void InferenceIgnoresTheVirtualBatchSize(int batch)
    {
        var x = Rows(batch, 2);
        var state = new BatchNormState<double>(
            ReadOnlyVector.Create(0.5, -1.0), ReadOnlyVector.Create(2.0, 0.25), ReadOnlyVector.Create(1.5, -1.0), ReadOnlyVector.Create(0.0, 3.0), 9);
        var plain = new BatchNormConfig();
        var ghost = plain with { VirtualBatchSize = 2 };

        Assert.Equal(BatchNorm.Infer(x, state, plain).Data, BatchNorm.Infer(x, state, ghost).Data);
        var destination = Tensor<double>.Zeros(batch, 2);
        BatchNorm.Infer(x, state, ghost, destination);
        Assert.Equal(BatchNorm.Infer(x, state, plain).Data, destination.Data);
        var dy = Rows(batch, 2);
        Assert.Equal(BatchNorm.BackwardInference(dy, x, state, plain).InputGradient.ToArray(), BatchNorm.BackwardInference(dy, x, state, ghost).InputGradient.ToArray());
        Assert.Equal(BatchNorm.BackwardInference(dy, x, state, plain).GammaGradient, BatchNorm.BackwardInference(dy, x, state, ghost).GammaGradient);
    }

    /// <summary>A row-major tensor of distinct values.</summary>
    private static TensorView<double> Rows(params int[] lengths)
    {
        var shape = TensorShape.RowMajor(lengths);
        var data = Enumerable.Range(0, (int)shape.ElementCount).Select(i => (i * 0.75) - (i % 3)).ToArray();
        return new TensorView<double>(data, shape);
    }
}
