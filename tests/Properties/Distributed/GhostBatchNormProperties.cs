using System.Numerics;
using BnNative.Collections;
using BnNative.Moments;
using BnNative.Normalization;
using BnNative.Tests.Properties.Normalization;
using static BnNative.Tests.Properties.Distributed.DistributedAssert;
using static BnNative.Tests.Properties.Distributed.DistributedGenerators;
using static BnNative.Tests.Properties.Normalization.NormalizationAssert;
using static BnNative.Testing.NormalizationGenerators;
using static BnNative.Testing.TensorGenerators;
using static BnNative.Tests.Properties.Normalization.StepGenerators;

namespace BnNative.Tests.Properties.Distributed;

/// <summary>
/// SPEC §6, ghost batch norm on every backend, float and double, rank 2 and rank 4 in both data formats, any layout:
/// V = B is plain batch norm; each chunk of V samples is normalized, and differentiated, exactly as plain batch norm
/// normalizes that chunk alone; and each EMA source feeds the moving statistics what it says: the first chunk's
/// statistics (tensorpack), the mean of the chunk means and variances (Keras), or the full batch's (Chan merge).
/// </summary>
/// <remarks>
/// Ghost batch norm computes each chunk's moments with the backend on the slice of the input that plain batch norm on
/// that chunk gets, and normalizes and differentiates it with the same element-wise kernels, so those identities hold
/// bit for bit (a backend is deterministic for a given view, SPEC §3). Only merged statistics differ by rounding.
/// </remarks>
public sealed class GhostBatchNormProperties
{
    private const int MaxTest = 100;

    /// <summary>V = B: output, next state (internal update), batch moments and inverse std are plain batch norm's, bit for bit, for every EMA source.</summary>
    [BackendTheory]
    public void VirtualBatchOfTheWholeBatchIsPlainBatchNorm(string backend)
    {
        var moments = TestBackends.Get(backend);
        PropertyCheck.ForAll(
            GhostSteps(BothTypes, StepSizes.WholeBatch),
            ghost => ghost.Step.Run(_ => WholeBatch<float>(ghost, moments), _ => WholeBatch<double>(ghost, moments)),
            MaxTest);
    }

    /// <summary>Each chunk (start, length, moments, inverse std, output) is plain batch norm on that chunk alone, bit for bit.</summary>
    [BackendTheory]
    public void EachChunkIsPlainBatchNormOnTheChunk(string backend)
    {
        var moments = TestBackends.Get(backend);
        PropertyCheck.ForAll(
            GhostSteps(BothTypes, StepSizes.Default),
            ghost => ghost.Step.Run(_ => EachChunk<float>(ghost, moments), _ => EachChunk<double>(ghost, moments)),
            MaxTest);
    }

    /// <summary>
    /// <see cref="GhostEmaSource.AllChunks"/>: the batch moments, the pending transition and the next state (internal
    /// update) are plain batch norm's on the whole batch, to the rounding of merging the chunks' moments
    /// (<see cref="MomentBounds.Merged"/>); the pending transition applied to the state is the internal update, bit for bit.
    /// </summary>
    [BackendTheory]
    public void AllChunksFeedTheFullBatchStatistics(string backend)
    {
        var moments = TestBackends.Get(backend);
        PropertyCheck.ForAll(
            GhostSteps(BothTypes, StepSizes.Default),
            ghost => ghost.Step.Run(_ => AllChunks<float>(ghost, moments), _ => AllChunks<double>(ghost, moments)),
            MaxTest);
    }

    /// <summary>
    /// <see cref="GhostEmaSource.FirstChunk"/>: the pending transition is plain batch norm's on chunk 0 alone (record
    /// equality), and so is the next state of an internal update, bit for bit.
    /// </summary>
    [BackendTheory]
    public void FirstChunkFeedsTheFirstChunksStatistics(string backend)
    {
        var moments = TestBackends.Get(backend);
        PropertyCheck.ForAll(
            GhostSteps(BothTypes, StepSizes.Default),
            ghost => ghost.Step.Run(_ => FirstChunk<float>(ghost, moments), _ => FirstChunk<double>(ghost, moments)),
            MaxTest);
    }

    /// <summary>
    /// <see cref="GhostEmaSource.MeanOfChunks"/>: the pending transition holds the mean of the chunk means and the mean
    /// of the chunk variances (the configured estimator), computed here with a plain double-precision two-pass loop per
    /// chunk, within the chunks' moment bounds; the next state of an internal update is the EMA of those values.
    /// </summary>
    [BackendTheory]
    public void MeanOfChunksFeedsTheMeanOfTheChunkStatistics(string backend)
    {
        var moments = TestBackends.Get(backend);
        PropertyCheck.ForAll(
            GhostSteps(BothTypes, StepSizes.Default),
            ghost => ghost.Step.Run(_ => MeanOfChunks<float>(ghost, moments), _ => MeanOfChunks<double>(ghost, moments)),
            MaxTest);
    }

    /// <summary>
    /// Backward: dx of each chunk is plain batch norm's backward on that chunk alone (its input and dy sliced), bit for
    /// bit; dgamma and dbeta are the sums over the chunks of plain batch norm's, to the rounding of those sums.
    /// </summary>
    [BackendTheory]
    public void GradientsAreThoseOfTheChunksAlone(string backend)
    {
        var moments = TestBackends.Get(backend);
        PropertyCheck.ForAll(
            WithSeed(GhostSteps(BothTypes, StepSizes.Default)),
            pair => pair.Case.Step.Run(_ => Gradients<float>(pair.Case, pair.Seed, moments), _ => Gradients<double>(pair.Case, pair.Seed, moments)),
            MaxTest);
    }

    private static void WholeBatch<T>(GhostCase ghost, MomentsBackend moments)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var step = ghost.Step;
        var x = step.Input<T>();
        var state = step.State<T>();
        var plain = BatchNorm.Train(x, state, step.Config(moments, EmaUpdate.Internal));
        foreach (var source in Enum.GetValues<GhostEmaSource>())
        {
            var result = BatchNorm.Train(x, state, ghost.Config(moments, EmaUpdate.Internal, source));
            var chunk = Assert.Single(result.Chunks);
            Assert.Equal(new BatchPart(0, step.Tensor.Lengths[0]), new BatchPart(chunk.Start, chunk.Length));
            BitwiseEqual(plain.Output, result.Output);
            BitwiseEqual(plain.NextState, result.NextState);
            BitwiseEqual(plain.BatchMoments, result.BatchMoments);
            BitwiseEqual(plain.InverseStd, result.InverseStd);
        }
    }

    private static void EachChunk<T>(GhostCase ghost, MomentsBackend moments)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var step = ghost.Step;
        var x = step.Input<T>();
        var state = step.State<T>();
        var plain = step.Config(moments);
        var result = BatchNorm.Train(x, state, ghost.Config(moments, EmaUpdate.Skip, GhostEmaSource.FirstChunk));
        var parts = ghost.Chunks;
        Assert.Equal(parts.Length, result.Chunks.Count);
        for (int k = 0; k < parts.Length; k++)
        {
            var part = parts[k];
            var chunk = result.Chunks[k];
            Assert.Equal(part, new BatchPart(chunk.Start, chunk.Length));
            Assert.Null(chunk.R);
            Assert.Null(chunk.D);
            var alone = BatchNorm.Train(part.Of(x), state, plain);
            BitwiseEqual(alone.BatchMoments, chunk.Moments);
            BitwiseEqual(alone.InverseStd, chunk.InverseStd);
            BitwiseEqual(alone.Output, part.Of(result.Output));
        }
    }

    private static void AllChunks<T>(GhostCase ghost, MomentsBackend moments)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var step = ghost.Step;
        var x = step.Input<T>();
        var state = step.State<T>();
        var bounds = MomentBounds.Merged(step.Tensor, ghost.Chunks).Plus(MomentBounds.Of(step.Tensor));
        double unbiasing = MomentBounds.Unbiasing(step.Config(moments), step.Tensor.Rank, step.Tensor.CountPerChannel);

        var plain = BatchNorm.Train(x, state, step.Config(moments, EmaUpdate.Collection));
        var collected = BatchNorm.Train(x, state, ghost.Config(moments, EmaUpdate.Collection, GhostEmaSource.AllChunks));
        bounds.AssertClose(plain.BatchMoments, collected.BatchMoments);
        var transition = Assert.IsType<EmaTransition>(collected.PendingTransition);
        bounds.AssertClose(Assert.IsType<EmaTransition>(plain.PendingTransition), transition, unbiasing);
        BitwiseEqual(state, collected.NextState);

        var plainUpdated = BatchNorm.Train(x, state, step.Config(moments, EmaUpdate.Internal));
        var updated = BatchNorm.Train(x, state, ghost.Config(moments, EmaUpdate.Internal, GhostEmaSource.AllChunks));
        bounds.AssertNextStateClose(step, unbiasing, plainUpdated.NextState, updated.NextState);
        BitwiseEqual(updated.NextState, transition.Apply(state));
    }

    private static void FirstChunk<T>(GhostCase ghost, MomentsBackend moments)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var step = ghost.Step;
        var x = step.Input<T>();
        var first = ghost.Chunks[0].Of(x);
        var state = step.State<T>();

        var alone = BatchNorm.Train(first, state, step.Config(moments, EmaUpdate.Collection));
        var collected = BatchNorm.Train(x, state, ghost.Config(moments, EmaUpdate.Collection, GhostEmaSource.FirstChunk));
        var expected = Assert.IsType<EmaTransition>(alone.PendingTransition);
        var actual = Assert.IsType<EmaTransition>(collected.PendingTransition);
        Assert.Equal(expected, actual);
        BitwiseEqual(expected.Mean, actual.Mean);
        BitwiseEqual(expected.Variance, actual.Variance);

        var aloneUpdated = BatchNorm.Train(first, state, step.Config(moments, EmaUpdate.Internal));
        var updated = BatchNorm.Train(x, state, ghost.Config(moments, EmaUpdate.Internal, GhostEmaSource.FirstChunk));
        BitwiseEqual(aloneUpdated.NextState, updated.NextState);
    }

    private static void MeanOfChunks<T>(GhostCase ghost, MomentsBackend moments)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var step = ghost.Step;
        var x = step.Input<T>();
        var state = step.State<T>();
        var estimator = step.Config(moments).MovingVarianceFor(step.Tensor.Rank);
        var chunks = ghost.Chunks.Select(part => part.Of(step.Tensor)).ToArray();
        var loops = chunks.Select(chunk => ChunkStatistics(chunk, estimator)).ToArray();
        var mean = Enumerable.Range(0, step.Channels).Select(c => loops.Average(loop => loop.Mean[c])).ToArray();
        var variance = Enumerable.Range(0, step.Channels).Select(c => loops.Average(loop => loop.Variance[c])).ToArray();
        var bounds = MomentBounds.Average(chunks.Select(chunk => MomentBounds.Of(chunk).Plus(MomentBounds.DoubleLoop(chunk))).ToArray());
        double unbiasing = MomentBounds.Unbiasing(step.Config(moments), step.Tensor.Rank, chunks[0].CountPerChannel);

        var collected = BatchNorm.Train(x, state, ghost.Config(moments, EmaUpdate.Collection, GhostEmaSource.MeanOfChunks));
        bounds.AssertClose(mean, variance, Assert.IsType<EmaTransition>(collected.PendingTransition), unbiasing);
        var updated = BatchNorm.Train(x, state, ghost.Config(moments, EmaUpdate.Internal, GhostEmaSource.MeanOfChunks));
        bounds.AssertNextStateClose(step, unbiasing, state, mean, variance, updated.NextState);
    }

    private static void Gradients<T>(GhostCase ghost, int seed, MomentsBackend moments)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var step = ghost.Step;
        var w = Weights(step.Tensor, new Random(seed));
        var x = step.Input<T>();
        var dy = step.Tensor.Layout.Store<T>(step.Tensor.Lengths, w);
        var state = step.State<T>();
        var gradients = BatchNorm.Backward(dy, BatchNorm.Train(x, state, ghost.Config(moments, EmaUpdate.Skip, GhostEmaSource.FirstChunk)));
        var plain = step.Config(moments);
        var alone = ghost.Chunks.Select(part => (Part: part, Gradients: BatchNorm.Backward(part.Of(dy), BatchNorm.Train(part.Of(x), state, plain)))).ToArray();
        foreach (var (part, chunk) in alone)
        {
            BitwiseEqual(chunk.InputGradient, part.Of(gradients.InputGradient));
        }

        AssertSumOfChunks("dgamma", step, gradients.GammaGradient, alone.Select(chunk => chunk.Gradients.GammaGradient).ToArray());
        AssertSumOfChunks("dbeta", step, gradients.BetaGradient, alone.Select(chunk => chunk.Gradients.BetaGradient).ToArray());
    }

    /// <summary>
    /// The library adds the K chunks' double partial sums and rounds the total once to T; each chunk alone rounds its
    /// partial sum to T, and the test adds those in double. Rounding to T costs u of each partial and u of the total,
    /// each side's K − 1 double additions 2⁻⁵³ of Σ|partial| each: 2(K + 1)·u of Σ|partial| covers float and double.
    /// </summary>
    private static void AssertSumOfChunks<T>(string what, NormalizationCase step, ReadOnlyVector<T>? actual, ReadOnlyVector<T>?[] chunks)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Assert.All(chunks, chunk => Assert.Equal(actual is null, chunk is null));
        if (actual is null)
        {
            return;
        }

        for (int c = 0; c < step.Channels; c++)
        {
            var partials = chunks.Select(chunk => double.CreateTruncating(chunk![c])).ToArray();
            double bound = 2 * (chunks.Length + 1) * step.UnitRoundoff * partials.Sum(Math.Abs);
            Within($"{what}[{c}] against the sum over {chunks.Length} chunks", partials.Sum(), double.CreateTruncating(actual[c]), bound);
        }
    }

    /// <summary>The independent oracle: per channel, the mean and the variance (biased or unbiased) of a chunk in two plain double-precision passes.</summary>
    private static (double[] Mean, double[] Variance) ChunkStatistics(TensorCase chunk, VarianceEstimator estimator)
    {
        var index = ChannelIndex.Of(chunk.Lengths, chunk.ChannelAxis);
        var values = chunk.Values;
        long n = chunk.CountPerChannel;
        var mean = new double[index.Channels];
        for (int i = 0; i < values.Length; i++)
        {
            mean[index.At(i)] += values[i];
        }

        for (int c = 0; c < mean.Length; c++)
        {
            mean[c] /= n;
        }

        var m2 = new double[index.Channels];
        for (int i = 0; i < values.Length; i++)
        {
            double deviation = values[i] - mean[index.At(i)];
            m2[index.At(i)] += deviation * deviation;
        }

        double divisor = estimator == VarianceEstimator.Unbiased ? n - 1 : n;
        return (mean, m2.Select(sum => sum / divisor).ToArray());
    }
}
