using BnNative.Collections;
using BnNative.Normalization;
using BnNative.Tensors;
using BnNative.Tests.Distributed;

namespace BnNative.Tests.Normalization;

/// <summary>
/// <see cref="BatchNormTrainResult{T}.CommittedState"/> is the state to carry forward whatever the EMA update (SPEC §5):
/// internal → the advanced <see cref="BatchNormTrainResult{T}.NextState"/>; collection → the pending transition applied
/// to the incoming state (which is then the next state); skip → the incoming state.
/// </summary>
public sealed class CommittedStateTests
{
    private static readonly BatchNormState<double> Incoming = BatchNormState<double>.Init(2) with
    {
        MovingMean = ReadOnlyVector.Create(0.5, -1.0),
        MovingVariance = ReadOnlyVector.Create(2.0, 0.25),
        Step = 3,
    };

    public static TheoryData<string> Variants => ["plain", "ghost first chunk", "ghost mean of chunks", "ghost all chunks", "renorm"];

    [Theory]
    [MemberData(nameof(Variants))]
    public void InternalCommitsTheNextState(string variant)
    {
        var result = BatchNorm.Train(X, Incoming, Config(variant, EmaUpdate.Internal));

        Assert.Same(result.NextState, result.CommittedState);
        Assert.Equal(Incoming.Step + 1, result.CommittedState.Step);
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void CollectionCommitsThePendingTransitionAppliedToTheIncomingState(string variant)
    {
        var result = BatchNorm.Train(X, Incoming, Config(variant, EmaUpdate.Collection));

        Assert.Same(Incoming, result.NextState);
        Assert.Equal(result.PendingTransition!.Apply(Incoming), result.CommittedState);
        Assert.Equal(BatchNorm.Train(X, Incoming, Config(variant, EmaUpdate.Internal)).NextState, result.CommittedState);
        Assert.Same(result.CommittedState, result.CommittedState);
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void SkipCommitsTheIncomingState(string variant)
    {
        var result = BatchNorm.Train(X, Incoming, Config(variant, EmaUpdate.Skip));

        Assert.Same(Incoming, result.CommittedState);
    }

    /// <summary>A collection step at the last representable step still succeeds; only committing it overflows, as Apply would.</summary>
    [Fact]
    public void CollectionAtTheLastStepOverflowsOnlyWhenCommitted()
    {
        var last = Incoming with { Step = long.MaxValue };

        var result = BatchNorm.Train(X, last, Config("plain", EmaUpdate.Collection));

        Assert.Same(last, result.NextState);
        Assert.Throws<OverflowException>(() => result.CommittedState);
    }

    [Theory]
    [InlineData(EmaUpdate.Internal)]
    [InlineData(EmaUpdate.Collection)]
    [InlineData(EmaUpdate.Skip)]
    public async Task ASynchronizedStepCommitsWhatTheWholeBatchWould(EmaUpdate update)
    {
        var config = new BatchNormConfig { EmaUpdate = update };
        var whole = BatchNorm.Train(X, Incoming, config);

        var outcomes = await Replicas.Each(2, exchange =>
            BatchNorm.Train(X.Slice(0, 4 * exchange.Rank, 4), Incoming, config, exchange));

        Assert.All(outcomes, o => Assert.Equal(outcomes[0].Result.CommittedState, o.Result.CommittedState));
        var committed = outcomes[0].Result.CommittedState;
        Assert.Equal(whole.CommittedState.Step, committed.Step);
        Near.Equal(whole.CommittedState.MovingMean, committed.MovingMean, 1e-12, "moving mean");
        Near.Equal(whole.CommittedState.MovingVariance, committed.MovingVariance, 1e-12, "moving variance");
        if (update == EmaUpdate.Skip)
        {
            Assert.Same(Incoming, committed);
        }
    }

    /// <summary>8 samples × 2 channels with distinct means and spreads per chunk of 4 (so the ghost sources differ).</summary>
    private static TensorView<double> X => TensorView<double>.Create(
        new double[] { 1, 10, 2, 12, 4, 9, 7, 15, -3, 20, 0, 22, 5, 18, 6, 25 }, 8, 2);

    private static BatchNormConfig Config(string variant, EmaUpdate update)
    {
        var config = new BatchNormConfig { EmaUpdate = update };
        return variant switch
        {
            "plain" => config,
            "ghost first chunk" => config with { VirtualBatchSize = 4, GhostEma = GhostEmaSource.FirstChunk },
            "ghost mean of chunks" => config with { VirtualBatchSize = 4, GhostEma = GhostEmaSource.MeanOfChunks },
            "ghost all chunks" => config with { VirtualBatchSize = 4, GhostEma = GhostEmaSource.AllChunks },
            "renorm" => config with { Renorm = new BatchRenorm(3, 5) },
            _ => throw new ArgumentOutOfRangeException(nameof(variant), variant, "Unknown variant."),
        };
    }
}
