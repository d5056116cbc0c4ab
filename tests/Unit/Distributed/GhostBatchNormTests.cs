using BnNative.Collections;
using BnNative.Moments;
using BnNative.Normalization;
using BnNative.Tensors;
using BnNative.Tests.Core;

namespace BnNative.Tests.Distributed;

/// <summary>
/// Ghost batch norm (SPEC §6) worked out by hand. x is [4, 2] (rank 2, channel axis 1), rows [1, 2], [3, 6], [10, −1],
/// [14, 1], split with V = 2 into chunk 0 (rows 0–1) and chunk 1 (rows 2–3):
/// chunk 0: channel 0 {1, 3} mean 2, s2 1; channel 1 {2, 6} mean 4, s2 4.
/// chunk 1: channel 0 {10, 14} mean 12, s2 4; channel 1 {−1, 1} mean 0, s2 1.
/// whole batch: channel 0 mean 7, M2 36 + 16 + 9 + 49 = 110, s2 27.5; channel 1 mean 2, M2 0 + 16 + 9 + 1 = 26, s2 6.5.
/// With gamma [2, −1], beta [0.5, 0], k1 = 1/sqrt(1 + eps), k4 = 1/sqrt(4 + eps) the output rows are
/// [0.5 − 2k1, 2k4], [0.5 + 2k1, −2k4], [0.5 − 4k4, k1], [0.5 + 4k4, −k1].
/// </summary>
public sealed class GhostBatchNormTests
{
    private const double Eps = 1e-5;

    private static readonly double K1 = 1 / Math.Sqrt(1 + Eps);

    private static readonly double K4 = 1 / Math.Sqrt(4 + Eps);

    private static readonly double[] Data = [1, 2, 3, 6, 10, -1, 14, 1];

    /// <summary>moving mean [1, −1], moving variance [2, 0.5], gamma [2, −1], beta [0.5, 0], step 5.</summary>
    private static readonly BatchNormState<double> State = new(
        ReadOnlyVector.Create(1.0, -1.0), ReadOnlyVector.Create(2.0, 0.5), ReadOnlyVector.Create(2.0, -1.0), ReadOnlyVector.Create(0.5, 0.0), 5);

    private static TensorView<double> X => TensorView<double>.Create((double[])Data.Clone(), 4, 2);

    private static BatchNormConfig Ghost(GhostEmaSource source = GhostEmaSource.FirstChunk, EmaUpdate update = EmaUpdate.Internal) =>
        new() { VirtualBatchSize = 2, GhostEma = source, EmaUpdate = update };

    [Fact]
    public void EachChunkIsNormalizedWithItsOwnStatistics()
    {
        var result = BatchNorm.Train(X, State, Ghost());

        double[] expected = [0.5 - (2 * K1), 2 * K4, 0.5 + (2 * K1), -2 * K4, 0.5 - (4 * K4), K1, 0.5 + (4 * K4), -K1];
        Near.Equal(expected, result.Output.ToArray(), what: "y");

        // The same numbers from the plain double loop, chunk by chunk.
        var loop = new double[8];
        PlainLoops.Normalize(Data, loop, 2, 0, 2, [2, -1], [0.5, 0], Eps);
        PlainLoops.Normalize(Data, loop, 2, 2, 2, [2, -1], [0.5, 0], Eps);
        Near.Equal(loop, result.Output.ToArray(), what: "y");
    }

    [Fact]
    public void ChunksRecordWhatEachPartWasNormalizedWith()
    {
        var result = BatchNorm.Train(X, State, Ghost());

        Assert.Equal(2, result.Chunks.Count);
        Assert.Equal((0, 2), (result.Chunks[0].Start, result.Chunks[0].Length));
        Assert.Equal((2, 2), (result.Chunks[1].Start, result.Chunks[1].Length));
        Assert.Equal(new BatchMoments(2, ReadOnlyVector.Create(2.0, 4.0), ReadOnlyVector.Create(2.0, 8.0)), result.Chunks[0].Moments);
        Assert.Equal(new BatchMoments(2, ReadOnlyVector.Create(12.0, 0.0), ReadOnlyVector.Create(8.0, 2.0)), result.Chunks[1].Moments);
        Near.Equal([K1, K4], result.Chunks[0].InverseStd);
        Near.Equal([K4, K1], result.Chunks[1].InverseStd);
        Assert.All(result.Chunks, chunk => Assert.Null(chunk.R));
        Assert.All(result.Chunks, chunk => Assert.Null(chunk.D));

        // BatchMoments is the whole batch (the chunks merged); InverseStd is the first chunk's.
        Assert.Equal(4, result.BatchMoments.Count);
        Near.Equal([7, 2], result.BatchMoments.Mean);
        Near.Equal([110, 26], result.BatchMoments.M2);
        Assert.Equal(result.Chunks[0].InverseStd, result.InverseStd);
    }

    /// <summary>
    /// Internal update (momentum 0.9, rank 2 → biased variance unless set) from moving mean [1, −1], variance [2, 0.5]:
    /// first chunk: mean [2, 4], s2 [1, 4] (u2 [2, 8]); mean of chunks: mean [7, 2], s2 [2.5, 2.5] (u2 [5, 5]);
    /// all chunks: mean [7, 2], s2 [27.5, 6.5] (u2 [110/3, 26/3]).
    /// </summary>
    [Theory]
    [InlineData(GhostEmaSource.FirstChunk, VarianceEstimator.Biased, 1.1, -0.5, 1.9, 0.85)]
    [InlineData(GhostEmaSource.MeanOfChunks, VarianceEstimator.Biased, 1.6, -0.7, 2.05, 0.7)]
    [InlineData(GhostEmaSource.AllChunks, VarianceEstimator.Biased, 1.6, -0.7, 4.55, 1.1)]
    [InlineData(GhostEmaSource.FirstChunk, VarianceEstimator.Unbiased, 1.1, -0.5, 2.0, 1.25)]
    [InlineData(GhostEmaSource.MeanOfChunks, VarianceEstimator.Unbiased, 1.6, -0.7, 2.3, 0.95)]
    [InlineData(GhostEmaSource.AllChunks, VarianceEstimator.Unbiased, 1.6, -0.7, 1.8 + (11.0 / 3), 0.45 + (2.6 / 3))]
    public void NextStateFollowsTheGhostSource(
        GhostEmaSource source, VarianceEstimator estimator, double mean0, double mean1, double variance0, double variance1)
    {
        var result = BatchNorm.Train(X, State, Ghost(source) with { MovingVariance = estimator });

        Near.Equal([mean0, mean1], result.NextState.MovingMean, what: "moving mean");
        Near.Equal([variance0, variance1], result.NextState.MovingVariance, what: "moving variance");
        Assert.Equal(6, result.NextState.Step);
        Assert.Equal(State.Gamma, result.NextState.Gamma);
        Assert.Equal(State.Beta, result.NextState.Beta);
        Assert.Null(result.PendingTransition);
    }

    [Theory]
    [InlineData(GhostEmaSource.FirstChunk)]
    [InlineData(GhostEmaSource.MeanOfChunks)]
    [InlineData(GhostEmaSource.AllChunks)]
    public void CollectionReturnsTheTransitionThatInternalApplies(GhostEmaSource source)
    {
        var internalStep = BatchNorm.Train(X, State, Ghost(source));

        var collected = BatchNorm.Train(X, State, Ghost(source, EmaUpdate.Collection));

        Assert.Same(State, collected.NextState);
        var transition = Assert.IsType<EmaTransition>(collected.PendingTransition);
        Assert.Equal(internalStep.NextState, transition.Apply(State));
        Assert.Equal(internalStep.Output.ToArray(), collected.Output.ToArray());
    }

    [Fact]
    public void CollectedTransitionsCarryTheSourcesStatistics()
    {
        var first = BatchNorm.Train(X, State, Ghost(GhostEmaSource.FirstChunk, EmaUpdate.Collection)).PendingTransition!;
        var meanOf = BatchNorm.Train(X, State, Ghost(GhostEmaSource.MeanOfChunks, EmaUpdate.Collection)).PendingTransition!;
        var all = BatchNorm.Train(X, State, Ghost(GhostEmaSource.AllChunks, EmaUpdate.Collection)).PendingTransition!;

        Near.Equal([2, 4], first.Mean);
        Near.Equal([1, 4], first.Variance);
        Near.Equal([7, 2], meanOf.Mean);
        Near.Equal([2.5, 2.5], meanOf.Variance);
        Near.Equal([7, 2], all.Mean);
        Near.Equal([27.5, 6.5], all.Variance);
        Assert.All(new[] { first, meanOf, all }, t => Assert.Equal((0.9, EmaAverage.Exponential), (t.Momentum, t.Average)));
        Assert.All(new[] { first, meanOf, all }, t => Assert.Null(t.Renorm));
    }

    [Theory]
    [InlineData(GhostEmaSource.FirstChunk)]
    [InlineData(GhostEmaSource.MeanOfChunks)]
    [InlineData(GhostEmaSource.AllChunks)]
    public void SkipLeavesTheStateAndStillNormalizesPerChunk(GhostEmaSource source)
    {
        var internalStep = BatchNorm.Train(X, State, Ghost(source));

        var skipped = BatchNorm.Train(X, State, Ghost(source, EmaUpdate.Skip));

        Assert.Same(State, skipped.NextState);
        Assert.Null(skipped.PendingTransition);
        Assert.Equal(internalStep.Output.ToArray(), skipped.Output.ToArray());
    }

    [Fact]
    public void AStridedDestinationReceivesTheSameOutput()
    {
        var expected = BatchNorm.Train(X, State, Ghost()).Output.ToArray();
        var storage = Tensor<double>.Zeros(2, 4);
        var destination = storage.View.Permute(1, 0);

        var result = BatchNorm.Train(X, State, Ghost(), destination);

        Assert.Same(destination, result.Output);
        Assert.Equal(expected, destination.ToArray());
    }

    /// <summary>
    /// dy rows [1, 0], [0, 2], [−1, 1], [3, 0.5]: each chunk's dx is plain batch norm's backward on that chunk
    /// (gamma·invstd·(dy − mean(dy) − xhat·mean(dy·xhat))); dgamma and dbeta add up over the chunks.
    /// </summary>
    [Fact]
    public void BackwardDifferentiatesEachChunkWithItsOwnStatistics()
    {
        double[] dyData = [1, 0, 0, 2, -1, 1, 3, 0.5];
        var dy = TensorView<double>.Create((double[])dyData.Clone(), 4, 2);
        var dx = new double[8];
        var dgamma = new double[2];
        var dbeta = new double[2];
        PlainLoops.Backward(Data, dyData, dx, dgamma, dbeta, 2, 0, 2, [2, -1], Eps);
        PlainLoops.Backward(Data, dyData, dx, dgamma, dbeta, 2, 2, 2, [2, -1], Eps);

        var gradients = BatchNorm.Backward(dy, BatchNorm.Train(X, State, Ghost()));

        Near.Equal(dx, gradients.InputGradient.ToArray(), 1e-12, "dx");
        Near.Equal(dgamma, gradients.GammaGradient!, what: "dgamma");
        Near.Equal([1 + 0 - 1 + 3, 0 + 2 + 1 + 0.5], gradients.BetaGradient!, what: "dbeta");
        Near.Equal(dbeta, gradients.BetaGradient!, what: "dbeta");

        // Σdx = 0 per channel within each chunk.
        var got = gradients.InputGradient.ToArray();
        for (int chunk = 0; chunk < 2; chunk++)
        {
            for (int c = 0; c < 2; c++)
            {
                Assert.True(Math.Abs(got[(4 * chunk) + c] + got[(4 * chunk) + 2 + c]) < 1e-12, $"chunk {chunk} channel {c}");
            }
        }
    }

    /// <summary>SPEC §6 identity: V = B is plain batch norm, bitwise (one chunk, the same moments call).</summary>
    [BackendTheory]
    public void VirtualBatchOfTheWholeBatchIsPlainBatchNorm(string backend)
    {
        var x = TestTensors.Random(61, 6, 2, 3, 5);
        var state = BatchNormState<float>.Init(5);
        var config = new BatchNormConfig { Moments = TestBackends.Get(backend), EmaUpdate = EmaUpdate.Internal };
        var dy = TestTensors.Random(62, 6, 2, 3, 5);

        var plain = BatchNorm.Train(x, state, config);
        var ghost = BatchNorm.Train(x, state, config with { VirtualBatchSize = 6 });

        Assert.Equal(plain.Output.ToArray(), ghost.Output.ToArray());
        Assert.Equal(plain.NextState, ghost.NextState);
        Assert.Equal(plain.BatchMoments, ghost.BatchMoments);
        Assert.Single(ghost.Chunks);
        Assert.Equal(BatchNorm.Backward(dy, plain).InputGradient.ToArray(), BatchNorm.Backward(dy, ghost).InputGradient.ToArray());
    }

    /// <summary>SPEC §6 identity: each chunk's output equals plain batch norm on that chunk alone.</summary>
    [BackendTheory]
    public void EachChunkEqualsPlainBatchNormOnThatChunk(string backend)
    {
        var x = TestTensors.Random(63, 6, 2, 3, 5);
        var state = BatchNormState<float>.Init(5) with { Gamma = ReadOnlyVector.Create(1f, 2, -1, 0.5f, 3), Beta = ReadOnlyVector.Create(0f, 1, 2, -3, 0.25f) };
        var config = new BatchNormConfig { Moments = TestBackends.Get(backend), VirtualBatchSize = 2 };

        var ghost = BatchNorm.Train(x, state, config).Output;

        for (int chunk = 0; chunk < 3; chunk++)
        {
            var plain = BatchNorm.Train(x.Slice(0, 2 * chunk, 2), state, config with { VirtualBatchSize = null });
            Assert.Equal(plain.Output.ToArray(), ghost.Slice(0, 2 * chunk, 2).ToArray());
        }
    }

    /// <summary>AllChunks feeds the exact full-batch statistics: the same next state as plain batch norm (to rounding).</summary>
    [Fact]
    public void AllChunksFeedsTheFullBatchStatistics()
    {
        var x = TestTensors.Random(64, 8, 3, 4);
        var state = BatchNormState<float>.Init(4);
        var config = new BatchNormConfig { EmaUpdate = EmaUpdate.Internal, Moments = MomentsBackend.Reference };

        var plain = BatchNorm.Train(x, state, config).NextState;
        var ghost = BatchNorm.Train(x, state, config with { VirtualBatchSize = 2, GhostEma = GhostEmaSource.AllChunks }).NextState;

        Near.Equal(plain.MovingMean.Select(v => (double)v).ToArray(), ghost.MovingMean, 1e-6, "moving mean");
        Near.Equal(plain.MovingVariance.Select(v => (double)v).ToArray(), ghost.MovingVariance, 1e-6, "moving variance");
    }
}
