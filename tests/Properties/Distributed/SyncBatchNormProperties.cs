using System.Numerics;
using BnNative.Moments;
using BnNative.Normalization;
using BnNative.Sync;
using BnNative.Tensors;
using BnNative.Tests.Properties.Normalization;
using static BnNative.Tests.Properties.Distributed.DistributedAssert;
using static BnNative.Tests.Properties.Distributed.DistributedGenerators;
using static BnNative.Tests.Properties.Normalization.NormalizationAssert;
using static BnNative.Testing.NormalizationGenerators;
using static BnNative.Testing.TensorGenerators;
using static BnNative.Tests.Properties.Normalization.StepGenerators;

namespace BnNative.Tests.Properties.Distributed;

/// <summary>
/// SPEC §7, synchronized batch norm over in-process replicas (<see cref="ReplicaGroup.Run{TResult}"/>) on every
/// backend, float and double, rank 2 and rank 4 in both data formats, any layout: k = 1 to 4 replicas holding
/// consecutive shares of one batch on axis 0, of uneven sizes, empty or single samples included, together compute what
/// plain batch norm computes on the concatenation of their shares, forward and backward, and every replica gets
/// bitwise-identical statistics, next state and parameter gradients.
/// </summary>
public sealed class SyncBatchNormProperties
{
    private const int MaxTest = 100;

    /// <summary>A replica that waits longer than this in one collective fails the case instead of hanging the run.</summary>
    private static readonly TimeSpan CollectiveTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Each replica's output and dx are the slices of plain batch norm's on the concatenation; the batch moments, the next
    /// state (internal update), dgamma and dbeta (the global sums) are plain batch norm's; all to the rounding of merging
    /// the shares' moments and sums (<see cref="MomentBounds.Merged"/>). Odd ranks write into a destination view in the
    /// case's layout. Batch moments, next state, dgamma and dbeta are the same on every replica, bit for bit.
    /// </summary>
    [BackendTheory]
    public void ReplicasTogetherArePlainBatchNormOnTheConcatenation(string backend)
    {
        var moments = TestBackends.Get(backend);
        PropertyCheck.ForAll(
            WithSeed(SyncSteps(BothTypes)),
            pair => pair.Case.Step.Run(_ => Replicas<float>(pair.Case, pair.Seed, moments), _ => Replicas<double>(pair.Case, pair.Seed, moments)),
            MaxTest);
    }

    /// <summary>
    /// One worker (<see cref="SingleWorkerExchange"/>, or a <see cref="ReplicaGroup"/> of one replica) is plain batch norm,
    /// bit for bit: output, batch moments, next state, dx, dgamma and dbeta.
    /// </summary>
    [BackendTheory]
    public void OneWorkerIsPlainBatchNorm(string backend)
    {
        var moments = TestBackends.Get(backend);
        PropertyCheck.ForAll(
            WithSeed(SyncSteps(BothTypes)),
            pair => pair.Case.Step.Run(_ => OneWorker<float>(pair.Case.Step, pair.Seed, moments), _ => OneWorker<double>(pair.Case.Step, pair.Seed, moments)),
            MaxTest);
    }

    private static void Replicas<T>(SyncCase sync, int seed, MomentsBackend moments)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var step = sync.Step;
        var config = step.Config(moments, EmaUpdate.Internal);
        var w = Weights(step.Tensor, new Random(seed));
        var x = step.Input<T>();
        var dy = step.Tensor.Layout.Store<T>(step.Tensor.Lengths, w);
        var state = step.State<T>();
        var plain = BatchNorm.Train(x, state, config);
        var plainGradients = BatchNorm.Backward(dy, plain);
        var parts = sync.Parts;

        var replicas = ReplicaGroup.Run(
            parts.Length,
            exchange =>
            {
                var part = parts[exchange.Rank];
                var xs = part.Of(x);
                TensorView<T>? destination = exchange.Rank % 2 == 1 ? step.Tensor.Layout.Store<T>(xs.Lengths.ToArray(), new double[xs.ElementCount]) : null;
                var result = destination is null
                    ? BatchNorm.Train(xs, state, config, exchange)
                    : BatchNorm.Train(xs, state, config, destination, exchange);
                return (Result: result, Destination: destination, Gradients: BatchNorm.Backward(part.Of(dy), result));
            },
            CollectiveTimeout);

        var bounds = MomentBounds.Merged(step.Tensor, parts).Plus(MomentBounds.Of(step.Tensor));
        var first = replicas[0];
        bounds.AssertClose(plain.BatchMoments, first.Result.BatchMoments);
        bounds.AssertNextStateClose(step, MomentBounds.Unbiasing(config, step.Tensor.Rank, step.Tensor.CountPerChannel), plain.NextState, first.Result.NextState);
        bounds.AssertParameterGradientsClose(step, w, plainGradients, first.Gradients);
        for (int rank = 0; rank < parts.Length; rank++)
        {
            var (result, destination, gradients) = replicas[rank];
            var part = parts[rank];
            if (destination is not null)
            {
                Assert.Same(destination, result.Output);
            }

            BitwiseEqual(first.Result.BatchMoments, result.BatchMoments);
            BitwiseEqual(first.Result.NextState, result.NextState);
            BitwiseEqual(first.Gradients.GammaGradient, gradients.GammaGradient);
            BitwiseEqual(first.Gradients.BetaGradient, gradients.BetaGradient);
            bounds.AssertOutputClose(step, part, Values(part.Of(plain.Output)), Values(result.Output));
            bounds.AssertInputGradientClose(step, w, part, Values(part.Of(plainGradients.InputGradient)), Values(gradients.InputGradient));
        }
    }

    private static void OneWorker<T>(NormalizationCase step, int seed, MomentsBackend moments)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var config = step.Config(moments, EmaUpdate.Internal);
        var x = step.Input<T>();
        var dy = step.Tensor.Layout.Store<T>(step.Tensor.Lengths, Weights(step.Tensor, new Random(seed)));
        var state = step.State<T>();
        var plain = BatchNorm.Train(x, state, config);
        var plainGradients = BatchNorm.Backward(dy, plain);
        var single = BatchNorm.Train(x, state, config, SingleWorkerExchange.Instance);
        var group = ReplicaGroup.Run(
            1,
            exchange =>
            {
                var result = BatchNorm.Train(x, state, config, Tensor<T>.Zeros(x.Lengths).View, exchange);
                return (Result: result, Gradients: BatchNorm.Backward(dy, result));
            },
            CollectiveTimeout)[0];
        foreach (var (result, gradients) in new[] { (single, BatchNorm.Backward(dy, single)), group })
        {
            BitwiseEqual(plain.Output, result.Output);
            BitwiseEqual(plain.BatchMoments, result.BatchMoments);
            BitwiseEqual(plain.NextState, result.NextState);
            BitwiseEqual(plainGradients, gradients);
        }
    }
}
