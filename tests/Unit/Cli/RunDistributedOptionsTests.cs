using System.Text.RegularExpressions;
using BnNative.Cli;
using BnNative.IO;
using BnNative.Moments;
using BnNative.Normalization;
using BnNative.Tensors;
using BnNative.Tests.IO;

namespace BnNative.Tests.Cli;

/// <summary>
/// <c>bnnative run --virtual-batch-size V --ghost-ema first|mean|all --renorm RMAX,DMAX --sync none</c> succeeds and
/// writes exactly what the in-process <see cref="BatchNorm"/> step gives with the config those options describe (SPEC
/// §6, §8): the output bitwise, the state (renorm keys included) by value; <c>{rank}</c> in paths is 0 without MPI.
/// </summary>
/// <remarks>
/// <c>--sync mpi</c> never runs here: it would start MPI in the test process. The MPI runs are in tests/Mpi; the
/// rejections that must happen before MPI starts are in <see cref="RunDistributedOptionsErrorTests"/>.
/// </remarks>
public sealed class RunDistributedOptionsTests
{
    private const string Matrix32 = "float32 [8,4]";
    private const string Matrix64 = "float64 [8,3]";
    private const string Images32 = "float32 NHWC [8,3,3,2]";
    private const string Images64 = "float64 NCHW [8,3,4,4]";

    /// <summary>Every input has batch size 8, so one option text (V = 1, 2, 4, 8; 3 does not divide) means the same for all.</summary>
    private static readonly Dictionary<string, IDistributedRunInput> Inputs = new()
    {
        [Matrix32] = new DistributedRunInput<float>(CliData.RandomTensor<float>(31, 8, 4), [], null),
        [Matrix64] = new DistributedRunInput<double>(CliData.RandomTensor<double>(32, 8, 3), [], null),
        [Images32] = new DistributedRunInput<float>(CliData.RandomTensor<float>(33, 8, 3, 3, 2), [], null),
        [Images64] = new DistributedRunInput<double>(CliData.RandomTensor<double>(34, 8, 3, 4, 4), ["--data-format", "NCHW"], DataFormat.ChannelsFirst),
    };

    private static readonly BatchNormConfig Tensorpack = BatchNormConfig.Tensorpack;

    private static readonly BatchRenorm Renorm35 = new(3, 5);

    /// <summary>
    /// Options → the in-process config and mode they stand for, and a group: options of one group are documented to
    /// write the same files (V = B is plain batch norm, first is the default source, inference ignores V, a single CLI
    /// step writes the updated state for internal and collection alike), options of different groups are not.
    /// </summary>
    private static readonly Dictionary<string, (BatchNormConfig Config, bool Train, string Group)> Options = new()
    {
        [""] = (Tensorpack, true, "plain"),
        ["--sync none"] = (Tensorpack, true, "plain"),
        ["--sync NONE"] = (Tensorpack, true, "plain"),
        ["--virtual-batch-size 8"] = (Tensorpack with { VirtualBatchSize = 8 }, true, "plain"),
        ["--virtual-batch-size 8 --ghost-ema mean"] = (Tensorpack with { VirtualBatchSize = 8, GhostEma = GhostEmaSource.MeanOfChunks }, true, "plain"),
        ["--virtual-batch-size 2"] = (Tensorpack with { VirtualBatchSize = 2 }, true, "ghost 2 first"),
        ["--virtual-batch-size 2 --ghost-ema first"] = (Tensorpack with { VirtualBatchSize = 2, GhostEma = GhostEmaSource.FirstChunk }, true, "ghost 2 first"),
        ["--virtual-batch-size 2 --ghost-ema mean"] = (Tensorpack with { VirtualBatchSize = 2, GhostEma = GhostEmaSource.MeanOfChunks }, true, "ghost 2 mean"),
        ["--virtual-batch-size 2 --ghost-ema all"] = (Tensorpack with { VirtualBatchSize = 2, GhostEma = GhostEmaSource.AllChunks }, true, "ghost 2 all"),
        ["--virtual-batch-size 4 --ghost-ema Mean"] = (Tensorpack with { VirtualBatchSize = 4, GhostEma = GhostEmaSource.MeanOfChunks }, true, "ghost 4 mean"),
        ["--virtual-batch-size 1 --ghost-ema all"] = (Tensorpack with { VirtualBatchSize = 1, GhostEma = GhostEmaSource.AllChunks }, true, "ghost 1 all"),
        ["--virtual-batch-size 2 --ema skip"] = (Tensorpack with { VirtualBatchSize = 2, EmaUpdate = EmaUpdate.Skip }, true, "ghost 2 skip"),
        ["--virtual-batch-size 4 --ghost-ema all --ema internal --momentum 0.5"] = (
            Tensorpack with { VirtualBatchSize = 4, GhostEma = GhostEmaSource.AllChunks, EmaUpdate = EmaUpdate.Internal, Momentum = 0.5 },
            true,
            "ghost 4 all momentum 0.5"),
        ["--virtual-batch-size 2 --ghost-ema mean --preset keras"] = (
            BatchNormConfig.Keras with { VirtualBatchSize = 2, GhostEma = GhostEmaSource.MeanOfChunks }, true, "ghost 2 mean keras"),
        ["--virtual-batch-size 1 --ghost-ema all --variance unbiased"] = (
            Tensorpack with { VirtualBatchSize = 1, GhostEma = GhostEmaSource.AllChunks, MovingVariance = VarianceEstimator.Unbiased },
            true,
            "ghost 1 all unbiased"),
        ["--renorm 3,5"] = (Tensorpack with { Renorm = Renorm35 }, true, "renorm 3,5"),
        ["--renorm 3,5 --ema internal"] = (Tensorpack with { Renorm = Renorm35, EmaUpdate = EmaUpdate.Internal }, true, "renorm 3,5"),
        ["--renorm 3,5 --ema skip"] = (Tensorpack with { Renorm = Renorm35, EmaUpdate = EmaUpdate.Skip }, true, "renorm 3,5 skip"),
        ["--renorm 1,0"] = (Tensorpack with { Renorm = new BatchRenorm(1, 0) }, true, "renorm 1,0"),
        ["--renorm 2.5,0.5 --momentum 0.5"] = (Tensorpack with { Renorm = new BatchRenorm(2.5, 0.5), Momentum = 0.5 }, true, "renorm 2.5,0.5 momentum 0.5"),
        ["--renorm 3,5 --virtual-batch-size 2 --ghost-ema mean"] = (
            Tensorpack with { Renorm = Renorm35, VirtualBatchSize = 2, GhostEma = GhostEmaSource.MeanOfChunks }, true, "renorm 3,5 ghost 2 mean"),
        ["--renorm 3,5 --virtual-batch-size 4 --ghost-ema all"] = (
            Tensorpack with { Renorm = Renorm35, VirtualBatchSize = 4, GhostEma = GhostEmaSource.AllChunks }, true, "renorm 3,5 ghost 4 all"),
        ["--mode infer"] = (Tensorpack, false, "infer"),
        ["--mode infer --virtual-batch-size 3"] = (Tensorpack with { VirtualBatchSize = 3 }, false, "infer"),
        ["--mode infer --virtual-batch-size 2 --ghost-ema all --sync none"] = (
            Tensorpack with { VirtualBatchSize = 2, GhostEma = GhostEmaSource.AllChunks }, false, "infer"),

        // Without --state-in the CLI starts from Init(C, config), which carries the initial renorm state with --renorm.
        ["--mode infer --renorm 3,5"] = (Tensorpack with { Renorm = Renorm35 }, false, "infer renorm"),
        ["--mode infer --renorm 3,5 --virtual-batch-size 3"] = (Tensorpack with { Renorm = Renorm35, VirtualBatchSize = 3 }, false, "infer renorm"),
    };

    private static readonly RunStart[] Starts = [RunStart.Initial, RunStart.PlainState, RunStart.RenormState];

    public static TheoryData<string, string, RunStart> Runs
    {
        get
        {
            var data = new TheoryData<string, string, RunStart>();
            foreach (string input in Inputs.Keys)
            {
                foreach (string options in Options.Keys)
                {
                    foreach (var start in Starts)
                    {
                        data.Add(input, options, start);
                    }
                }
            }

            return data;
        }
    }

    public static TheoryData<string> OptionTexts => [.. Options.Keys];

    [Theory]
    [MemberData(nameof(Runs))]
    public void RunWritesWhatTheInProcessStepGives(string input, string options, RunStart start)
    {
        var (config, train, _) = Options[options];

        Inputs[input].AssertRunMatches(options, config, train, start);
    }

    /// <summary>
    /// Guards the theory above: an option the CLI did not read would pass it if its config gave the same files as
    /// another's. Options of one group give the same files from every start; options of two groups differ somewhere.
    /// </summary>
    [Theory]
    [MemberData(nameof(OptionTexts))]
    public void EachOptionChangesTheResultUnlessDocumentedEquivalent(string options)
    {
        var (config, train, group) = Options[options];

        foreach (var (other, (otherConfig, otherTrain, otherGroup)) in Options)
        {
            bool same = Inputs.Values.All(input => Starts.All(start => input.SameResult(config, train, otherConfig, otherTrain, start)));
            bool differs = Inputs.Values.Any(input => Starts.Any(start => !input.SameResult(config, train, otherConfig, otherTrain, start)));
            Assert.True(group == otherGroup ? same : differs, $"'{options}' ({group}) vs '{other}' ({otherGroup}): same = {same}");
        }
    }

    [Theory]
    [InlineData(Matrix32, "--renorm 3,5")]
    [InlineData(Matrix64, "--renorm 3,5 --virtual-batch-size 2 --ghost-ema mean")]
    [InlineData(Images32, "--virtual-batch-size 2 --ghost-ema mean")]
    [InlineData(Images64, "--renorm 3,5")]
    [InlineData(Images64, "--renorm 3,5 --virtual-batch-size 4 --ghost-ema all")]
    public void TwoChainedRunsEqualTwoInProcessSteps(string input, string options) =>
        Inputs[input].AssertChainMatches(options, Options[options].Config);

    /// <summary>The renorm keys are written by a renorm step, kept by any step whose state has them, and absent otherwise.</summary>
    [Theory]
    [InlineData("--renorm 3,5", RunStart.Initial, true)]
    [InlineData("--renorm 3,5", RunStart.PlainState, true)]
    [InlineData("--renorm 3,5", RunStart.RenormState, true)]
    [InlineData("--renorm 3,5 --ema skip", RunStart.Initial, true)]
    [InlineData("--mode infer --renorm 3,5", RunStart.RenormState, true)]
    [InlineData("--mode infer", RunStart.RenormState, true)]
    [InlineData("", RunStart.RenormState, true)]
    [InlineData("", RunStart.PlainState, false)]
    [InlineData("--virtual-batch-size 2 --ghost-ema all", RunStart.Initial, false)]
    [InlineData("--mode infer", RunStart.Initial, false)]
    public void TheStateOutHasTheRenormKeysExactlyWhenTheStateHasARenormPart(string options, RunStart start, bool renormKeys)
    {
        using var files = new TempDirectory();
        var x = CliData.RandomTensor<float>(35, 8, 4);
        var state = CliData.RandomState<float>(4, seed: 36, step: 2);
        List<string> args =
            ["run", "--input", CliData.WriteTensor(files.File("x.npy"), x.View), "--output", files.File("y.npy"), "--state-out", files.File("s.npz")];
        args.AddRange(options.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        if (start != RunStart.Initial)
        {
            var stateIn = start == RunStart.RenormState ? state with { Renorm = RenormStates.Random<float>(4, seed: 37) } : state;
            args.AddRange(["--state-in", CliData.WriteState(files.File("in.npz"), stateIn)]);
        }

        CliResult.Of([.. args]).AssertSucceeded();

        var entries = NpzFile.Read(files.File("s.npz"));
        string[] plainKeys =
            [BatchNormStateFile.MeanKey, BatchNormStateFile.VarianceKey, BatchNormStateFile.GammaKey, BatchNormStateFile.BetaKey, BatchNormStateFile.StepKey];
        string[] keys = renormKeys
            ? [.. plainKeys, BatchNormStateFile.RenormMeanKey, BatchNormStateFile.RenormStddevKey, BatchNormStateFile.MovingStddevKey]
            : plainKeys;
        Assert.Equal(keys.Order(StringComparer.Ordinal), entries.Keys.Order(StringComparer.Ordinal));
        Assert.All(keys.Where(key => key != BatchNormStateFile.StepKey), key =>
        {
            Assert.Equal(NpyDType.Float32, entries[key].DType);
            Assert.Equal(new[] { 4 }, entries[key].Shape.ToArray());
        });
    }

    /// <summary>The renorm state written by a training step is a real update: none of its three vectors is still at its initial value.</summary>
    [Fact]
    public void ARenormStepMovesEveryRenormVector()
    {
        using var files = new TempDirectory();
        string[] args =
        [
            "run", "--input", CliData.WriteTensor(files.File("x.npy"), CliData.RandomTensor<double>(38, 8, 3).View),
            "--output", files.File("y.npy"), "--state-out", files.File("s.npz"), "--renorm", "3,5",
        ];

        CliResult.Of(args).AssertSucceeded();

        var initial = BatchRenormState<double>.Init(3);
        var written = BatchNormStateFile.Load<double>(files.File("s.npz")).Renorm;
        Assert.NotNull(written);
        Assert.NotEqual(initial.RenormMean, written.RenormMean);
        Assert.NotEqual(initial.RenormStddev, written.RenormStddev);
        Assert.NotEqual(initial.MovingStddev, written.MovingStddev);
    }

    /// <summary>Without <c>--sync mpi</c> the rank is 0: <c>{rank}</c> in every path becomes 0, and the file named with the placeholder is never touched.</summary>
    [Theory]
    [InlineData("")]
    [InlineData("--sync none")]
    [InlineData("--renorm 3,5 --virtual-batch-size 2 --ghost-ema mean")]
    [InlineData("--mode infer --renorm 3,5")]
    public void RankInAPathIsZeroWithoutMpi(string options)
    {
        var (config, train, _) = Options[options];
        using var files = new TempDirectory();
        var x = CliData.RandomTensor<float>(39, 8, 4);
        var state = CliData.RandomState<float>(4, seed: 40, step: 6) with { Renorm = RenormStates.Random<float>(4, seed: 41) };
        CliData.WriteTensor(files.File("x_0.npy"), x.View);
        CliData.WriteState(files.File("in_0.npz"), state);
        string[] args =
        [
            "run", "--input", files.File("x_{rank}.npy"), "--output", files.File("y_{rank}.npy"),
            "--state-in", files.File("in_{rank}.npz"), "--state-out", files.File("s_{rank}.npz"),
            .. options.Split(' ', StringSplitOptions.RemoveEmptyEntries),
        ];

        var result = CliResult.Of(args);

        result.AssertSucceeded();
        Assert.Contains(files.File("y_0.npy"), result.Output, StringComparison.Ordinal);
        Assert.Equal(["in_0.npz", "s_0.npz", "x_0.npy", "y_0.npy"], files.FileNames());
        var (output, next) = ExpectedRun.Of(x.View, state, config, train);
        CliData.AssertBitwise(output, CliData.ReadTensor<float>(files.File("y_0.npy")).View);
        Assert.Equal(next, BatchNormStateFile.Load<float>(files.File("s_0.npz")));
    }

    [Fact]
    public void EveryRankPlaceholderInAPathIsReplacedFoldersIncluded()
    {
        using var files = new TempDirectory();
        var x = CliData.RandomTensor<double>(42, 8, 3);
        Directory.CreateDirectory(files.File("0"));
        Directory.CreateDirectory(files.File("out_0"));
        CliData.WriteTensor(files.File(Path.Combine("0", "x_00.npy")), x.View);
        string[] args =
        [
            "run", "--input", files.File(Path.Combine("{rank}", "x_{rank}{rank}.npy")),
            "--output", files.File(Path.Combine("out_{rank}", "y_{rank}.npy")), "--state-out", files.File(Path.Combine("out_{rank}", "s.npz")),
        ];

        CliResult.Of(args).AssertSucceeded();

        string[] written =
        [
            .. Directory.GetFileSystemEntries(files.Path, "*", SearchOption.AllDirectories)
                .Select(entry => Path.GetRelativePath(files.Path, entry))
                .Order(StringComparer.Ordinal),
        ];
        Assert.Equal(["0", Path.Combine("0", "x_00.npy"), "out_0", Path.Combine("out_0", "s.npz"), Path.Combine("out_0", "y_0.npy")], written);
        var (output, next) = ExpectedRun.Of(x.View, BatchNormState<double>.Init(3), Tensorpack, train: true);
        CliData.AssertBitwise(output, CliData.ReadTensor<double>(files.File(Path.Combine("out_0", "y_0.npy"))).View);
        Assert.Equal(next, BatchNormStateFile.Load<double>(files.File(Path.Combine("out_0", "s.npz"))));
    }
}

/// <summary>
/// Bad ghost, renorm and sync options make <c>bnnative run</c> exit with <see cref="CliApp.BadInput"/> and one line on
/// standard error, and create or change no file, as <see cref="RunCommandErrorTests"/> checks for the other options.
/// <c>--sync mpi</c> appears only where it must be rejected before MPI starts.
/// </summary>
/// <remarks>
/// Tokens as in <see cref="RunCommandErrorTests"/>: <c>$out</c> and <c>$state-out</c> are the output and <c>--state-out</c>
/// paths (checked once absent and once existing), the others the files the constructor writes; a bare file name such as
/// <c>o_{rank}.npy</c> is a path in the test directory.
/// </remarks>
public sealed class RunDistributedOptionsErrorTests : IDisposable
{
    private readonly TempDirectory _files = new();
    private readonly Dictionary<string, string> _paths = [];

    public RunDistributedOptionsErrorTests()
    {
        Add("$x32", "x32.npy", path => CliData.WriteTensor(path, CliData.RandomTensor<float>(1, 8, 4).View));
        Add("$images", "images.npy", path => CliData.WriteTensor(path, CliData.RandomTensor<double>(2, 6, 3, 4, 4).View));
        Add("$state", "state.npz", path => CliData.WriteState(path, CliData.RandomState<float>(4, seed: 3, step: 2)));
        Add("$renorm-state", "renorm-state.npz", path => CliData.WriteState(
            path, CliData.RandomState<float>(4, seed: 4, step: 1) with { Renorm = RenormStates.Random<float>(4, seed: 5) }));
        Add("$literal-rank", "x_{rank}.npy", path => CliData.WriteTensor(path, CliData.RandomTensor<float>(6, 8, 4).View));
        Add("$literal-rank-state", "state_{rank}.npz", path => File.Copy(_paths["$state"], path));
    }

    public void Dispose() => _files.Dispose();

    /// <summary>SPEC §6: B must be a multiple of V, and the message names both (V is chosen to appear nowhere else in it).</summary>
    [Theory]
    [InlineData("$x32", 3, 8)]
    [InlineData("$x32", 5, 8, "--ghost-ema", "all")]
    [InlineData("$x32", 16, 8)]
    [InlineData("$x32", 3, 8, "--renorm", "3,5", "--state-in", "$renorm-state")]
    [InlineData("$images", 5, 6, "--data-format", "NCHW")]
    [InlineData("$images", 12, 6, "--data-format", "NCHW", "--ghost-ema", "mean")]
    public void AVirtualBatchSizeThatDoesNotDivideTheBatchIsRejected(string input, int virtualBatchSize, int batch, params string[] options)
    {
        string[] args = ["run", "--input", input, "--output", "$out", "--state-out", "$state-out", "--virtual-batch-size", $"{virtualBatchSize}", .. options];

        AssertRejected(args, line =>
        {
            Assert.Matches($@"(?<![\d.]){virtualBatchSize}(?![\d.])", line);
            Assert.Matches($@"(?<![\d.]){batch}(?![\d.])", line);
        });
    }

    [Theory]
    [InlineData("≥ 1", "--virtual-batch-size", "0")]
    [InlineData("≥ 1", "--virtual-batch-size", "0", "--mode", "infer")]
    [InlineData("≥ 1", "--virtual-batch-size", "-2")]
    [InlineData("abc", "--virtual-batch-size", "abc")]
    [InlineData("--virtual-batch-size", "--virtual-batch-size")]
    [InlineData("axis", "--virtual-batch-size", "2", "--axis", "0")]
    [InlineData("n ≥ 2", "--virtual-batch-size", "1", "--variance", "unbiased")]
    [InlineData("n ≥ 2", "--virtual-batch-size", "1", "--variance", "unbiased", "--ghost-ema", "mean")]
    [InlineData("--virtual-batch-size", "--ghost-ema", "first")]
    [InlineData("--virtual-batch-size", "--ghost-ema", "all", "--renorm", "3,5")]
    [InlineData("--virtual-batch-size", "--ghost-ema", "mean", "--mode", "infer")]
    [InlineData("--ghost-ema", "--virtual-batch-size", "2", "--ghost-ema", "bogus")]
    [InlineData("--ghost-ema", "--virtual-batch-size", "2", "--ghost-ema", "")]
    [InlineData("--ghost-ema", "--virtual-batch-size", "2", "--ghost-ema", "first-chunk")]
    [InlineData("RMAX,DMAX", "--renorm", "3")]
    [InlineData("RMAX,DMAX", "--renorm", "a,b")]
    [InlineData("RMAX,DMAX", "--renorm", "3,5,7")]
    [InlineData("RMAX,DMAX", "--renorm", "3;5")]
    [InlineData("RMAX,DMAX", "--renorm", "")]
    [InlineData("--renorm", "--renorm", "3,5", "--renorm", "3")]
    [InlineData("--renorm", "--renorm")]
    [InlineData("RMax", "--renorm", "0.5,1")]
    [InlineData("RMax", "--renorm", "0,5")]
    [InlineData("RMax", "--renorm", "-3,5")]
    [InlineData("RMax", "--renorm", "NaN,5")]
    [InlineData("RMax", "--renorm", "Infinity,5")]
    [InlineData("RMax", "--renorm", "0.5,1", "--mode", "infer")]
    [InlineData("DMax", "--renorm", "3,-1")]
    [InlineData("DMax", "--renorm", "3,Infinity")]
    [InlineData("DMax", "--renorm", "3,-1", "--state-in", "$renorm-state")]
    [InlineData("--sync", "--sync", "bogus")]
    [InlineData("--sync", "--sync", "")]
    [InlineData("--sync", "--sync", "nccl")]
    public void BadOptionsAreRejected(string fragment, params string[] options) =>
        AssertRejected(fragment, ["run", "--input", "$x32", "--output", "$out", "--state-out", "$state-out", .. options]);

    /// <summary>
    /// Rejected before MPI starts: MPI is never initialized in this process, and the message has no rank prefix (a
    /// started session would add <c>rank 0:</c>).
    /// </summary>
    [Theory]
    [InlineData("--mode infer", "--sync", "mpi", "--mode", "infer")]
    [InlineData("--mode infer", "--mode", "INFER", "--sync", "MPI")]
    [InlineData("--mode infer", "--sync", "mpi", "--mode", "infer", "--renorm", "3,5", "--state-in", "$renorm-state")]
    [InlineData("--mode infer", "--sync", "mpi", "--mode", "infer", "--virtual-batch-size", "2")]
    [InlineData("--virtual-batch-size", "--sync", "mpi", "--ghost-ema", "all")]
    [InlineData("RMAX,DMAX", "--sync", "mpi", "--renorm", "3")]
    public void SyncOptionsThatCannotWorkAreRejectedBeforeMpiStarts(string fragment, params string[] options) =>
        AssertRejected(["run", "--input", "$x32", "--output", "$out", "--state-out", "$state-out", .. options], line =>
        {
            Assert.Contains(fragment, line, StringComparison.OrdinalIgnoreCase);
            Assert.StartsWith("bnnative run: ", line, StringComparison.Ordinal);
            Assert.DoesNotContain("rank", line, StringComparison.OrdinalIgnoreCase);
        });

    /// <summary><c>{rank}</c> is 0 before anything is read: a file literally named <c>x_{rank}.npy</c> is not the input.</summary>
    [Fact]
    public void RankInTheInputIsExpandedBeforeTheFileIsRead() =>
        AssertRejected("x_0.npy", ["run", "--input", "$literal-rank", "--output", "$out", "--state-out", "$state-out"]);

    /// <summary>Likewise a state file literally named <c>state_{rank}.npz</c> is not the <c>--state-in</c>.</summary>
    [Fact]
    public void RankInTheStateInIsExpandedBeforeTheFileIsRead() =>
        AssertRejected("state_0.npz", ["run", "--input", "$x32", "--output", "$out", "--state-out", "$state-out", "--state-in", "$literal-rank-state"]);

    /// <summary>The same-file check sees the expanded paths.</summary>
    [Theory]
    [InlineData("o_{rank}.npy", "o_0.npy")]
    [InlineData("o_0.npy", "o_{rank}.npy")]
    [InlineData("o_{rank}.npy", "o_{rank}.npy")]
    public void AnOutputAndAStateOutThatExpandToOneFileAreRejected(string output, string stateOut) =>
        AssertRejected("same file", ["run", "--input", "$x32", "--output", output, "--state-out", stateOut]);

    private void AssertRejected(string fragment, string[] args) =>
        AssertRejected(args, line => Assert.Contains(fragment, line, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Runs <paramref name="args"/> twice: with <c>$out</c>/<c>$state-out</c> naming files that do not exist, then files
    /// that do. Each time: exit 2, nothing on standard output, one line on standard error starting with
    /// <c>bnnative</c> that passes <paramref name="checkLine"/>, and the directory exactly as before.
    /// </summary>
    private void AssertRejected(string[] args, Action<string> checkLine)
    {
        foreach (bool existing in new[] { false, true })
        {
            string output = _files.File(existing ? "existing-y.npy" : "new-y.npy");
            string stateOut = _files.File(existing ? "existing-s.npz" : "new-s.npz");
            var snapshots = existing
                ? new[] { FileSnapshot.Create(output, [1, 2, 3]), FileSnapshot.Create(stateOut, File.ReadAllBytes(_paths["$state"])) }
                : [];
            var before = Listing();
            var paths = new Dictionary<string, string>(_paths) { ["$out"] = output, ["$state-out"] = stateOut };

            var result = CliResult.Of([.. args.Select(Place(paths))]);

            string context = $"bnnative {string.Join(' ', args)} (existing outputs: {existing})";
            Assert.True(result.ExitCode == CliApp.BadInput, $"{context}: exit {result.ExitCode}; stderr: {result.Error}");
            Assert.Equal(string.Empty, result.Output);
            string[] lines = result.Error.Split('\n');
            Assert.True(lines is [var line, ""] && line.Trim().Length > 0, $"{context}: expected one line on stderr, got: {result.Error}");
            Assert.StartsWith("bnnative", result.Error, StringComparison.Ordinal);
            checkLine(lines[0]);
            Assert.Equal(before, Listing());
            Assert.All(snapshots, snapshot => snapshot.AssertUnchanged());
        }
    }

    /// <summary>A token's path, a bare .npy/.npz file name's path in the test directory, or the argument as it is.</summary>
    private Func<string, string> Place(Dictionary<string, string> paths) => arg =>
        paths.TryGetValue(arg, out string? path) ? path
        : Regex.IsMatch(arg, @"^[\w{}]+\.np[yz]$") ? _files.File(arg)
        : arg;

    /// <summary>Every file and directory below the test directory, relative to it, one a line.</summary>
    private string Listing() => string.Join(
        '\n',
        Directory.GetFileSystemEntries(_files.Path, "*", SearchOption.AllDirectories)
            .Select(entry => Path.GetRelativePath(_files.Path, entry))
            .Order(StringComparer.Ordinal));

    private void Add(string token, string name, Action<string> write)
    {
        _paths[token] = _files.File(name);
        write(_paths[token]);
    }
}
