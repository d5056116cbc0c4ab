using BnNative.Collections;
using BnNative.Normalization;
using BnNative.Sync;
using BnNative.Tensors;

namespace BnNative.Tests.Core;

/// <summary>
/// The README's ghost / renorm / synchronized-statistics example, kept compiling and true. The MPI lines run under
/// mpirun in tests/Mpi (MPI cannot be initialized inside the test host and started again).
/// </summary>
public sealed class ReadmeDistributedExampleTests
{
    [Fact]
    public void GhostRenormAndSyncExampleHolds()
    {
        var random = new Random(5);
        var x = Tensor<float>.FromArray(Enumerable.Range(0, 32 * 16).Select(i => (float)((random.NextDouble() * 6) + (i % 16))).ToArray(), 32, 16).View;
        var dy = Tensor<float>.FromArray(Enumerable.Range(0, 32 * 16).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray(), 32, 16).View;
        var state = BatchNormState<float>.Init(16);
        var config = new BatchNormConfig { EmaUpdate = EmaUpdate.Internal };
        TensorView<float>[] shards = [x.Slice(0, 0, 20), x.Slice(0, 20, 0), x.Slice(0, 20, 12)];
        TensorView<float>[] dyShards = [dy.Slice(0, 0, 20), dy.Slice(0, 20, 0), dy.Slice(0, 20, 12)];

        var ghost = new BatchNormConfig { VirtualBatchSize = 8, GhostEma = GhostEmaSource.AllChunks, EmaUpdate = EmaUpdate.Internal };
        var g = BatchNorm.Train(x, state, ghost);
        var gGrads = BatchNorm.Backward(dy, g);

        var renorm = new BatchNormConfig { Renorm = new BatchRenorm(rMax: 3, dMax: 5), EmaUpdate = EmaUpdate.Internal };
        var r = BatchNorm.Train(x, BatchNormState<float>.Init(16, renorm), renorm);
        ReadOnlyVector<double> rUsed = r.Chunks[0].R!;

        var replicas = ReplicaGroup.Run(3, exchange =>
        {
            var step = BatchNorm.Train(shards[exchange.Rank], state, config, exchange);
            var grads = BatchNorm.Backward(dyShards[exchange.Rank], step);
            return (step.CommittedState, grads);
        });

        // Ghost: 4 chunks; the all-chunks EMA equals the full batch's (up to the merge's rounding).
        Assert.Equal(4, g.Chunks.Count);
        var plain = BatchNorm.Train(x, state, config);
        for (int c = 0; c < 16; c++)
        {
            Assert.Equal(plain.NextState.MovingMean[c], g.NextState.MovingMean[c], 1e-4f);
            Assert.Equal(plain.NextState.MovingVariance[c], g.NextState.MovingVariance[c], 1e-4f);
        }

        Assert.Equal(x.Lengths.ToArray(), gGrads.InputGradient.Lengths.ToArray());

        // Renorm: r within its clip bounds; the state gained the renorm part.
        Assert.All(rUsed, value => Assert.InRange(value, 1 / 3.0, 3.0));
        Assert.NotNull(r.NextState.Renorm);

        // Sync: every replica has the same next state, equal to plain BN's on the whole batch; dx slices match.
        var plainGrads = BatchNorm.Backward(dy, plain);
        Assert.All(replicas, replica => Assert.Equal(replicas[0].CommittedState, replica.CommittedState));
        for (int c = 0; c < 16; c++)
        {
            Assert.Equal(plain.NextState.MovingMean[c], replicas[0].CommittedState.MovingMean[c], 1e-4f);
            Assert.Equal(plainGrads.GammaGradient![c], replicas[1].grads.GammaGradient![c], 1e-3f);
        }

        var dx = replicas[2].grads.InputGradient.ToArray();
        var expected = plainGrads.InputGradient.Slice(0, 20, 12).ToArray();
        for (int i = 0; i < dx.Length; i++)
        {
            Assert.Equal(expected[i], dx[i], 1e-4f);
        }
    }
}
