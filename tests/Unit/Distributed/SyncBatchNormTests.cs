using System.Numerics;
using BnNative.Collections;
using BnNative.Moments;
using BnNative.Normalization;
using BnNative.Sync;
using BnNative.Tensors;
using BnNative.Tests.Core;
using BnNative.Tests.IO;

namespace BnNative.Tests.Distributed;

/// <summary>
/// Synchronized batch norm (SPEC §7): over one worker it is plain batch norm bit for bit; over k replicas holding
/// uneven parts (including none) it equals plain batch norm on their concatenation, with bitwise-identical statistics,
/// next state and parameter gradients on every replica; the backward pass is collective.
/// </summary>
public sealed class SyncBatchNormTests
{
    /// <summary>Rows of each replica's part of the [8, 2, 1, 3] batch (NHWC, 3 channels): uneven, one empty, one of a single sample.</summary>
    private static readonly int[] Parts = [3, 0, 1, 4];

    private static readonly BatchNormState<double> State = new(
        ReadOnlyVector.Create(0.5, -1.0, 2.0), ReadOnlyVector.Create(1.5, 0.25, 4.0), ReadOnlyVector.Create(2.0, -0.5, 1.0), ReadOnlyVector.Create(0.0, 1.0, -3.0), 4);

    [BackendTheory]
    public void OneWorkerIsPlainBatchNormBitwise(string backend)
    {
        var x = TestTensors.Random(71, 5, 3, 2, 4);
        var dy = TestTensors.Random(72, 5, 3, 2, 4);
        var state = BatchNormState<float>.Init(4) with { Gamma = ReadOnlyVector.Create(1f, -2, 0.5f, 3), Beta = ReadOnlyVector.Create(0f, 1, -1, 0.25f), Step = 2 };
        var config = new BatchNormConfig { Moments = TestBackends.Get(backend), EmaUpdate = EmaUpdate.Internal };

        var plain = BatchNorm.Train(x, state, config);
        var synced = BatchNorm.Train(x, state, config, SingleWorkerExchange.Instance);

        AssertBitwise(plain, synced);
        var plainGradients = BatchNorm.Backward(dy, plain);
        var syncedGradients = BatchNorm.Backward(dy, synced);
        Assert.Equal(IoTensors.Bits(plainGradients.InputGradient.ToArray()), IoTensors.Bits(syncedGradients.InputGradient.ToArray()));
        Assert.Equal(IoTensors.Bits(plainGradients.GammaGradient!.ToArray()), IoTensors.Bits(syncedGradients.GammaGradient!.ToArray()));
        Assert.Equal(IoTensors.Bits(plainGradients.BetaGradient!.ToArray()), IoTensors.Bits(syncedGradients.BetaGradient!.ToArray()));
    }

    [Theory]
    [InlineData(EmaUpdate.Collection, false)]
    [InlineData(EmaUpdate.Internal, true)]
    [InlineData(EmaUpdate.Skip, false)]
    public void OneWorkerIsPlainBatchNormBitwiseInDoubleWithRenormAndADestination(EmaUpdate update, bool renorm)
    {
        var x = Batch(5);
        var config = new BatchNormConfig { EmaUpdate = update, Renorm = renorm ? new BatchRenorm(1.5, 0.5) : null };
        var state = renorm ? State with { Renorm = BatchRenormState<double>.Init(3) } : State;
        var destination = Tensor<double>.Zeros(5, 2, 1, 3).View;

        var plain = BatchNorm.Train(x, state, config);
        var synced = BatchNorm.Train(x, state, config, destination, SingleWorkerExchange.Instance);

        Assert.Same(destination, synced.Output);
        AssertBitwise(plain, synced);
        Assert.Equal(plain.PendingTransition, synced.PendingTransition);
        Assert.Equal(plain.Chunks[0].R, synced.Chunks[0].R);
        Assert.Equal(plain.Chunks[0].D, synced.Chunks[0].D);
    }

    /// <summary>SPEC §7 identity: SyncBN over workers holding B1..Bk equals plain BN on their concatenation.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ReplicasTogetherArePlainBatchNormOnTheConcatenation(bool renorm)
    {
        var x = Batch(Parts.Sum());
        var dy = Batch(Parts.Sum(), seed: 5);
        var config = new BatchNormConfig { EmaUpdate = EmaUpdate.Internal, Renorm = renorm ? new BatchRenorm(1.2, 0.3) : null };
        var state = renorm
            ? State with { Renorm = new BatchRenormState<double>(ReadOnlyVector.Create(0.1, 0.2, 0.3), ReadOnlyVector.Create(0.9, 1.1, 3.0), ReadOnlyVector.Create(1.0, 1.0, 1.0)) }
            : State;
        var whole = BatchNorm.Train(x, state, config);
        var wholeGradients = BatchNorm.Backward(dy, whole);

        var outcomes = await Replicas.Each(Parts.Length, exchange =>
        {
            int start = Parts.Take(exchange.Rank).Sum();
            var train = BatchNorm.Train(x.Slice(0, start, Parts[exchange.Rank]), state, config, exchange);
            return (Start: start, Train: train, Gradients: BatchNorm.Backward(dy.Slice(0, start, Parts[exchange.Rank]), train));
        });

        foreach (var (start, train, gradients) in outcomes.Select(o => o.Result))
        {
            int rows = train.Output.Lengths[0];
            Near.Equal(whole.Output.Slice(0, start, rows).ToArray(), train.Output.ToArray(), 1e-12, "y");
            Near.Equal(wholeGradients.InputGradient.Slice(0, start, rows).ToArray(), gradients.InputGradient.ToArray(), 1e-12, "dx");
            Near.Equal(wholeGradients.GammaGradient!, gradients.GammaGradient!, 1e-12, "dgamma");
            Near.Equal(wholeGradients.BetaGradient!, gradients.BetaGradient!, 1e-12, "dbeta");
            Assert.Equal(whole.BatchMoments.Count, train.BatchMoments.Count);
            Near.Equal(whole.BatchMoments.Mean, train.BatchMoments.Mean, 1e-12, "mean");
            Near.Equal(whole.BatchMoments.M2, train.BatchMoments.M2, 1e-12, "M2");
            Near.Equal(whole.NextState.MovingMean, train.NextState.MovingMean, 1e-12, "moving mean");
            Near.Equal(whole.NextState.MovingVariance, train.NextState.MovingVariance, 1e-12, "moving variance");
            Near.Equal(whole.Chunks[0].R ?? ReadOnlyVector<double>.Empty, train.Chunks[0].R ?? ReadOnlyVector<double>.Empty, 1e-12, "r");
            Near.Equal(whole.Chunks[0].D ?? ReadOnlyVector<double>.Empty, train.Chunks[0].D ?? ReadOnlyVector<double>.Empty, 1e-12, "d");
            Assert.Equal(whole.NextState.Step, train.NextState.Step);
        }

        // Every replica merged the same (n, mean, M2) triples in rank order: identical bits everywhere.
        var first = outcomes[0].Result;
        Assert.All(outcomes.Skip(1), o => Assert.Equal(first.Train.BatchMoments, o.Result.Train.BatchMoments));
        Assert.All(outcomes.Skip(1), o => Assert.Equal(first.Train.NextState, o.Result.Train.NextState));
        Assert.All(outcomes.Skip(1), o => Assert.Equal(first.Gradients.GammaGradient, o.Result.Gradients.GammaGradient));
        Assert.All(outcomes.Skip(1), o => Assert.Equal(first.Gradients.BetaGradient, o.Result.Gradients.BetaGradient));
        if (renorm)
        {
            Assert.NotNull(first.Train.NextState.Renorm);
            Near.Equal(whole.NextState.Renorm!.RenormStddev, first.Train.NextState.Renorm.RenormStddev, 1e-12, "renorm_stddev");
        }
    }

    /// <summary>Two workers with one element per channel each (rank 4: unbiased moving variance): the global n = 2 satisfies the rule.</summary>
    [Fact]
    public async Task TheGlobalCountDecidesTheUnbiasedRule()
    {
        var x = Batch(2).Slice(1, 0, 1);
        var whole = BatchNorm.Train(x, State, new BatchNormConfig { EmaUpdate = EmaUpdate.Internal });
        Assert.Equal(2, whole.BatchMoments.Count);

        var outcomes = await Replicas.Each(2, exchange =>
            BatchNorm.Train(x.Slice(0, exchange.Rank, 1), State, new BatchNormConfig { EmaUpdate = EmaUpdate.Internal }, exchange).NextState);

        Assert.All(outcomes, o => Near.Equal(whole.NextState.MovingVariance, o.Result.MovingVariance, 1e-12, "moving variance"));
    }

    [Fact]
    public async Task CollectionModeOnReplicasReturnsTheSameTransitionEverywhere()
    {
        var x = Batch(6);

        var outcomes = await Replicas.Each(3, exchange =>
            BatchNorm.Train(x.Slice(0, 2 * exchange.Rank, 2), State, null, exchange));

        Assert.All(outcomes, o => Assert.Same(State, o.Result.NextState));
        Assert.All(outcomes, o => Assert.Equal(outcomes[0].Result.PendingTransition, o.Result.PendingTransition));
        var internalStep = BatchNorm.Train(x, State, new BatchNormConfig { EmaUpdate = EmaUpdate.Internal }).NextState;
        var applied = outcomes[0].Result.PendingTransition!.Apply(State);
        Near.Equal(internalStep.MovingMean, applied.MovingMean, 1e-12, "moving mean");
        Near.Equal(internalStep.MovingVariance, applied.MovingVariance, 1e-12, "moving variance");
    }

    [Fact]
    public void ANullExchangeIsNamed()
    {
        var x = Batch(2);

        ParamAssert.Throws<ArgumentNullException>("sync", () => BatchNorm.Train(x, State, null, (IStatisticsExchange)null!));
        ParamAssert.Throws<ArgumentNullException>("sync", () => BatchNorm.Train(x, State, null, Tensor<double>.Zeros(2, 2, 1, 3).View, null!));
    }

    /// <summary>A row-major [rows, 2, 1, 3] double batch of values in [−2, 6).</summary>
    internal static TensorView<double> Batch(int rows, int seed = 3)
    {
        var random = new Random(seed);
        var data = new double[rows * 6];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = (random.NextDouble() * 8) - 2;
        }

        return TensorView<double>.Create(data, rows, 2, 1, 3);
    }

    private static void AssertBitwise<T>(BatchNormTrainResult<T> expected, BatchNormTrainResult<T> actual)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Assert.Equal(IoTensors.Bits(expected.Output.ToArray()), IoTensors.Bits(actual.Output.ToArray()));
        Assert.Equal(expected.BatchMoments.Count, actual.BatchMoments.Count);
        Assert.Equal(IoTensors.Bits(expected.BatchMoments.Mean.ToArray()), IoTensors.Bits(actual.BatchMoments.Mean.ToArray()));
        Assert.Equal(IoTensors.Bits(expected.BatchMoments.M2.ToArray()), IoTensors.Bits(actual.BatchMoments.M2.ToArray()));
        Assert.Equal(IoTensors.Bits(expected.InverseStd.ToArray()), IoTensors.Bits(actual.InverseStd.ToArray()));
        Assert.Equal(IoTensors.Bits(expected.NextState.MovingMean.ToArray()), IoTensors.Bits(actual.NextState.MovingMean.ToArray()));
        Assert.Equal(IoTensors.Bits(expected.NextState.MovingVariance.ToArray()), IoTensors.Bits(actual.NextState.MovingVariance.ToArray()));
        Assert.Equal(expected.NextState, actual.NextState);
    }
}
