using System.Numerics;
using BnNative.IO;
using BnNative.MpiWorker;
using BnNative.Normalization;

namespace BnNative.Tests.Mpi;

/// <summary>
/// Synchronized batch norm across Open MPI processes (SPEC §7), through the library API: each rank of an mpirun job
/// runs a training step and its backward pass on its shard; the results must equal plain batch norm on the
/// concatenated batch, and every rank must hold bitwise-identical statistics and next state.
/// </summary>
public sealed class SyncWorkerTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("bnnative-mpi-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [MpiFact]
    public void TwoRanksEvenFloatRank2EqualsTheConcatenatedBatch() => Check<float>(new SyncScenario([4, 4], 5, 2, 11, false), 2e-5);

    [MpiFact]
    public void TwoRanksUnevenDoubleRank4EqualsTheConcatenatedBatch() => Check<double>(new SyncScenario([7, 2], 3, 4, 12, false), 1e-10);

    [MpiFact]
    public void FourRanksWithAnEmptyAndASingleSampleShardEqualTheConcatenatedBatch() =>
        Check<float>(new SyncScenario([5, 0, 1, 3], 4, 4, 13, false), 2e-5);

    [MpiFact]
    public void FourRanksWithRenormEqualTheConcatenatedBatch() => Check<double>(new SyncScenario([2, 3, 1, 6], 6, 2, 14, true), 1e-10);

    [MpiFact]
    public void TwoRanksWithOneSampleEachEqualTheConcatenatedBatch() => Check<double>(new SyncScenario([1, 1], 2, 2, 15, false), 1e-10);

    private void Check<T>(SyncScenario scenario, double tolerance)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        string dtype = typeof(T) == typeof(float) ? "float32" : "float64";
        var run = MpiRun.Start(
            scenario.Rows.Length, MpiRun.Worker, ["sync", .. scenario.Arguments.Split(' '), $"dtype={dtype}", $"out={_folder}"], _folder);
        Assert.True(run.ExitCode == 0, $"mpirun exited with {run.ExitCode}: {run.Error}");

        var x = scenario.Input<T>().View;
        var expected = BatchNorm.Train(x, scenario.State<T>(), scenario.Config);
        var gradients = BatchNorm.Backward(scenario.OutputGradient<T>().View, expected);
        var expectedState = expected.NextState;
        byte[]? firstState = null;
        for (int rank = 0; rank < scenario.Rows.Length; rank++)
        {
            var result = NpzFile.Read(Path.Combine(_folder, $"rank{rank}.npz"));
            int start = scenario.Start(rank);
            int rows = scenario.Rows[rank];
            Compare.Close(Compare.Doubles(expected.Output.Slice(0, start, rows)), Compare.Doubles(result["y"]), tolerance, $"rank {rank} y");
            Compare.Close(Compare.Doubles(gradients.InputGradient.Slice(0, start, rows)), Compare.Doubles(result["dx"]), tolerance, $"rank {rank} dx");
            Compare.Close(Doubles(gradients.GammaGradient!), Compare.Doubles(result["dgamma"]), 10 * tolerance, $"rank {rank} dgamma");
            Compare.Close(Doubles(gradients.BetaGradient!), Compare.Doubles(result["dbeta"]), 10 * tolerance, $"rank {rank} dbeta");
            Assert.Equal(expected.BatchMoments.Count, result["count"].AsInt64Scalar());
            Compare.Close(expected.BatchMoments.Mean.ToArray(), Compare.Doubles(result["mean"]), tolerance, $"rank {rank} mean");
            Compare.Close(expected.BatchMoments.M2.ToArray(), Compare.Doubles(result["m2"]), 10 * tolerance, $"rank {rank} M2");

            string statePath = Path.Combine(_folder, $"state{rank}.npz");
            var state = BatchNormStateFile.Load<T>(statePath);
            Compare.Close(Doubles(expectedState.MovingMean), Doubles(state.MovingMean), tolerance, $"rank {rank} moving mean");
            Compare.Close(Doubles(expectedState.MovingVariance), Doubles(state.MovingVariance), tolerance, $"rank {rank} moving variance");
            Assert.Equal(expectedState.Step, state.Step);
            Assert.Equal(expectedState.Renorm is null, state.Renorm is null);
            if (expectedState.Renorm is { } renorm)
            {
                Compare.Close(Doubles(renorm.RenormMean), Doubles(state.Renorm!.RenormMean), tolerance, $"rank {rank} renorm mean");
                Compare.Close(Doubles(renorm.RenormStddev), Doubles(state.Renorm.RenormStddev), tolerance, $"rank {rank} renorm stddev");
                Compare.Close(Doubles(renorm.MovingStddev), Doubles(state.Renorm.MovingStddev), tolerance, $"rank {rank} moving stddev");
            }

            // Merged in rank order on every rank: the statistics, the state and the parameter gradients are bitwise identical.
            byte[] bytes = File.ReadAllBytes(statePath);
            firstState ??= bytes;
            Assert.True(firstState.AsSpan().SequenceEqual(bytes), $"rank {rank}'s next state differs bitwise from rank 0's.");
            var rank0 = NpzFile.Read(Path.Combine(_folder, "rank0.npz"));
            foreach (var key in new[] { "mean", "m2", "dgamma", "dbeta" })
            {
                Assert.Equal(Compare.Doubles(rank0[key]), Compare.Doubles(result[key]));
            }
        }
    }

    private static double[] Doubles<T>(Collections.ReadOnlyVector<T> vector)
        where T : unmanaged, IFloatingPointIeee754<T> => vector.Select(double.CreateTruncating).ToArray();
}
