using BnNative.IO;
using BnNative.MpiWorker;
using BnNative.Normalization;
using BnNative.Tensors;

namespace BnNative.Tests.Mpi;

/// <summary>
/// <c>mpirun -np K bnnative run --sync mpi --input x_{rank}.npy --output y_{rank}.npy</c>: each rank reads and writes
/// its own shard, rank 0 alone writes the state, and the result equals a single-process run on the concatenated file.
/// </summary>
public sealed class CliMpiTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("bnnative-mpi-cli-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [MpiFact]
    public void TwoUnevenShardsEqualOneRunOnTheConcatenation() =>
        CheckAgainstSingleProcess(new SyncScenario([6, 3], 4, 2, 31, false), ["--ema", "internal"]);

    [MpiFact]
    public void FourShardsWithAnEmptyOneAndRenormEqualOneRunOnTheConcatenation() =>
        CheckAgainstSingleProcess(
            new SyncScenario([3, 0, 5, 2], 3, 4, 32, false), ["--ema", "internal", "--data-format", "channels_first", "--renorm", "2,1"]);

    [MpiFact]
    public void MismatchedChannelCountsAreAnErrorOnEveryRank()
    {
        NpyFile.Write(Path.Combine(_folder, "x_0.npy"), Tensor<float>.FromArray(new float[12], 3, 4).View);
        NpyFile.Write(Path.Combine(_folder, "x_1.npy"), Tensor<float>.FromArray(new float[9], 3, 3).View);
        var run = MpiRun.Start(2, MpiRun.Cli, ["run", "--sync", "mpi", "--input", "x_{rank}.npy", "--output", "y_{rank}.npy", "--state-out", "s.npz"], _folder);
        Assert.NotEqual(0, run.ExitCode);
        foreach (var rank in new[] { 0, 1 })
        {
            Assert.Contains($"bnnative run: rank {rank}: Synchronized statistics need the same channel count", run.Error, StringComparison.Ordinal);
        }

        Assert.Contains("rank 0: 4 channels of float32, rank 1: 3 channels of float32", run.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_folder, "y_*"));
        Assert.False(File.Exists(Path.Combine(_folder, "s.npz")));
    }

    /// <summary>A NaN in rank 1's shard: the merged statistics are refused on every rank alike (exit 2 each, no hang, nothing written).</summary>
    [MpiFact]
    public void ANaNOnOneRankIsAnErrorOnEveryRankAndNothingIsWritten()
    {
        var poisoned = new float[12];
        poisoned[5] = float.NaN;
        NpyFile.Write(Path.Combine(_folder, "x_0.npy"), Tensor<float>.FromArray(Enumerable.Range(0, 12).Select(i => (float)i).ToArray(), 3, 4).View);
        NpyFile.Write(Path.Combine(_folder, "x_1.npy"), Tensor<float>.FromArray(poisoned, 3, 4).View);
        var run = MpiRun.Start(2, MpiRun.Cli, ["run", "--sync", "mpi", "--input", "x_{rank}.npy", "--output", "y_{rank}.npy", "--state-out", "s.npz"], _folder);
        Assert.NotEqual(0, run.ExitCode);
        foreach (var rank in new[] { 0, 1 })
        {
            Assert.Contains(
                $"bnnative run: rank {rank}: x_{rank}.npy merged with the shards of all 2 ranks: Non-finite batch statistics", run.Error, StringComparison.Ordinal);
        }

        Assert.Contains("channel 1 batch mean NaN", run.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_folder, "y_*"));
        Assert.False(File.Exists(Path.Combine(_folder, "s.npz")));
        Assert.True(run.Elapsed < MpiRun.Limit);
    }

    [MpiFact]
    public void AShardMissingOnOneRankStopsEveryRankBeforeAnythingIsWritten()
    {
        NpyFile.Write(Path.Combine(_folder, "x_0.npy"), Tensor<float>.FromArray(new float[12], 3, 4).View);
        var run = MpiRun.Start(2, MpiRun.Cli, ["run", "--sync", "mpi", "--input", "x_{rank}.npy", "--output", "y_{rank}.npy"], _folder);
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("rank 1: Could not find file", run.Error, StringComparison.Ordinal);
        Assert.Contains("rank 0: stopping because rank(s) 1 failed to prepare", run.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_folder, "y_*"));
    }

    [MpiFact]
    public void GhostBatchesCannotBeSynchronized()
    {
        NpyFile.Write(Path.Combine(_folder, "x_0.npy"), Tensor<float>.FromArray(new float[16], 4, 4).View);
        NpyFile.Write(Path.Combine(_folder, "x_1.npy"), Tensor<float>.FromArray(new float[16], 4, 4).View);
        var run = MpiRun.Start(
            2, MpiRun.Cli, ["run", "--sync", "mpi", "--virtual-batch-size", "2", "--input", "x_{rank}.npy", "--output", "y_{rank}.npy"], _folder);
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("cannot be combined with synchronized statistics", run.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_folder, "y_*"));
    }

    [Fact]
    public void WithoutLibmpiSyncMpiExitsTwoNamingThePackage()
    {
        NpyFile.Write(Path.Combine(_folder, "x_0.npy"), Tensor<float>.FromArray(new float[12], 3, 4).View);
        var run = MpiRun.Single(MpiRun.Cli, ["run", "--sync", "mpi", "--input", "x_{rank}.npy", "--output", "y_{rank}.npy"], _folder, ("BNNATIVE_MPI", "/nonexistent/libmpi.so.40"));
        Assert.Equal(2, run.ExitCode);
        string line = Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("openmpi-bin", line, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_folder, "y_*"));
    }

    private void CheckAgainstSingleProcess(SyncScenario scenario, string[] options)
    {
        var x = scenario.Input<float>().View;
        NpyFile.Write(Path.Combine(_folder, "all.npy"), x);
        for (int rank = 0; rank < scenario.Rows.Length; rank++)
        {
            NpyFile.Write(Path.Combine(_folder, $"x_{rank}.npy"), x.Slice(0, scenario.Start(rank), scenario.Rows[rank]).ToContiguous());
        }

        BatchNormStateFile.Save(Path.Combine(_folder, "in.npz"), scenario.State<float>());
        string[] common = ["--state-in", "in.npz", .. options];
        var single = MpiRun.Single(MpiRun.Cli, ["run", "--input", "all.npy", "--output", "y_all.npy", "--state-out", "s_all.npz", .. common], _folder);
        Assert.True(single.ExitCode == 0, single.Error);
        var run = MpiRun.Start(
            scenario.Rows.Length, MpiRun.Cli,
            ["run", "--sync", "mpi", "--input", "x_{rank}.npy", "--output", "y_{rank}.npy", "--state-out", "s_{rank}.npz", .. common], _folder);
        Assert.True(run.ExitCode == 0, $"mpirun exited with {run.ExitCode}: {run.Error}");

        var expected = NpyFile.Read(Path.Combine(_folder, "y_all.npy")).ToFloatTensor().View;
        for (int rank = 0; rank < scenario.Rows.Length; rank++)
        {
            var y = NpyFile.Read(Path.Combine(_folder, $"y_{rank}.npy"));
            Assert.Equal(x.Slice(0, scenario.Start(rank), scenario.Rows[rank]).Lengths.ToArray(), y.Shape.Select(d => (int)d).ToArray());
            Compare.Close(
                Compare.Doubles(expected.Slice(0, scenario.Start(rank), scenario.Rows[rank])), Compare.Doubles(y), 2e-5, $"rank {rank} y");
            Assert.Equal(rank == 0, File.Exists(Path.Combine(_folder, $"s_{rank}.npz")));
        }

        var state = BatchNormStateFile.Load<float>(Path.Combine(_folder, "s_0.npz"));
        var expectedState = BatchNormStateFile.Load<float>(Path.Combine(_folder, "s_all.npz"));
        Compare.Close(expectedState.MovingMean.Select(v => (double)v).ToArray(), state.MovingMean.Select(v => (double)v).ToArray(), 2e-5, "moving mean");
        Compare.Close(
            expectedState.MovingVariance.Select(v => (double)v).ToArray(), state.MovingVariance.Select(v => (double)v).ToArray(), 2e-5, "moving variance");
        Assert.Equal(expectedState.Step, state.Step);
        Assert.Equal(expectedState.Renorm is null, state.Renorm is null);
    }
}
