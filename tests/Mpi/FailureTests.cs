using BnNative.MpiWorker;

namespace BnNative.Tests.Mpi;

/// <summary>A rank that fails must end the whole job with a non-zero exit code within a bounded time, never a hang.</summary>
public sealed class FailureTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("bnnative-mpi-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [MpiFact]
    public void ALocalErrorInsideASynchronizedStepAbortsTheJob()
    {
        var scenario = new SyncScenario([4, 4], 3, 2, 21, false);
        var run = MpiRun.Start(2, MpiRun.Worker, ["fail-validation", .. scenario.Arguments.Split(' '), "fail=1", $"out={_folder}"], _folder);
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("rank 1: x has 3 channels on axis 1 but state has 4", run.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_folder, "rank0.npz")), "rank 0 must not finish a step rank 1 never joined.");
        Assert.True(run.Elapsed < MpiRun.Limit);
    }

    [MpiFact]
    public void ARankThatExitsBeforeTheExchangeEndsTheJobOnFourRanks()
    {
        var scenario = new SyncScenario([2, 2, 2, 2], 3, 2, 22, false);
        var run = MpiRun.Start(4, MpiRun.Worker, ["crash", .. scenario.Arguments.Split(' '), "fail=2", $"out={_folder}"], _folder);
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("rank 2 exits without finalizing", run.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_folder, "rank0.npz")));
    }
}
