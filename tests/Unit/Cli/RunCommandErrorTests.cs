using BnNative.Cli;
using BnNative.Tests.IO;

namespace BnNative.Tests.Cli;

/// <summary>
/// Bad arguments and bad input make <c>bnnative run</c> exit with <see cref="CliApp.BadInput"/> and one line on
/// standard error, and create or change no file: neither a new <c>--output</c>/<c>--state-out</c> nor existing ones.
/// </summary>
/// <remarks>
/// Arguments name files with tokens: <c>$out</c> and <c>$state-out</c> are the output and <c>--state-out</c> paths (checked
/// once absent and once existing), the others the files the constructor writes (<c>$missing</c> is never written).
/// </remarks>
public sealed class RunCommandErrorTests : IDisposable
{
    private readonly TempDirectory _files = new();
    private readonly Dictionary<string, string> _paths = [];

    public RunCommandErrorTests()
    {
        Add("$x32", "x32.npy", path => CliData.WriteTensor(path, CliData.RandomTensor<float>(1, 8, 4).View));
        Add("$one", "one.npy", path => CliData.WriteTensor(path, CliData.RandomTensor<float>(2, 1, 4).View));
        Add("$no-samples", "no-samples.npy", path => CliData.WriteTensor(path, CliData.RandomTensor<float>(4, 0, 4).View));
        Add("$no-channels", "no-channels.npy", path => CliData.WriteTensor(path, CliData.RandomTensor<float>(5, 8, 0).View));
        Add("$rank1", "rank1.npy", path => CliData.WriteTensor(path, CliData.RandomTensor<float>(3, 8).View));
        Add("$int64", "int64.npy", path => File.WriteAllBytes(path, NpyBytes.Simple("<i8", "(8, 4)", NpyBytes.Longs([.. Enumerable.Range(0, 32).Select(i => (long)i)]))));
        Add("$garbage", "garbage.npy", path => File.WriteAllBytes(path, [.. Enumerable.Range(0, 200).Select(i => (byte)(i * 37))]));
        Add("$empty", "empty.npy", path => File.WriteAllBytes(path, []));
        Add("$state", "state.npz", path => CliData.WriteState(path, CliData.RandomState<float>(4, seed: 1, step: 2)));
        Add("$state3", "state3.npz", path => CliData.WriteState(path, CliData.RandomState<float>(3, seed: 4, step: 0)));
        Add("$state64", "state64.npz", path => CliData.WriteState(path, CliData.RandomState<double>(4, seed: 5, step: 0)));
        Add("$truncated", "truncated.npz", path => File.WriteAllBytes(path, File.ReadAllBytes(_paths["$state"])[..^30]));
        Add("$garbage.npz", "garbage.npz", path => File.WriteAllBytes(path, File.ReadAllBytes(_paths["$garbage"])));
        Add("$nan", "nan.npy", path => CliData.WriteTensor(path, NonFiniteRunData.WithNaN()));
        Add("$inf", "inf.npy", path => CliData.WriteTensor(path, NonFiniteRunData.WithNegativeInfinity()));
        Add("$huge", "huge.npy", path => CliData.WriteTensor(path, NonFiniteRunData.Huge()));
        Add("$nan-state", "nan-state.npz", path => CliData.WriteState(path, NonFiniteRunData.NaNState()));
        _paths["$missing"] = _files.File("missing.npy");
    }

    public void Dispose() => _files.Dispose();

    [Theory]
    [InlineData("--input", "run", "--output", "$out", "--state-out", "$state-out")]
    [InlineData("--output", "run", "--input", "$x32", "--state-out", "$state-out")]
    [InlineData("--input", "run")]
    [InlineData("--bogus", "run", "--input", "$x32", "--output", "$out", "--state-out", "$state-out", "--bogus")]
    [InlineData("command", "frobnicate", "--input", "$x32", "--output", "$out")]
    [InlineData("--axis", "run", "--input", "$x32", "--output", "$out", "--state-out", "$state-out", "--axis")]
    [InlineData("abc", "run", "--input", "$x32", "--output", "$out", "--state-out", "$state-out", "--momentum", "abc")]
    public void CommandLinesThatDoNotParseAreRejected(string fragment, params string[] args) => AssertRejected(fragment, args);

    [Theory]
    [InlineData("missing.npy", "$missing")]
    [InlineData("garbage", "$garbage")]
    [InlineData("empty", "$empty")]
    [InlineData("float32 or float64", "$int64")]
    [InlineData("rank", "$rank1")]
    [InlineData("no elements", "$no-samples")]
    [InlineData("channels", "$no-channels")]
    [InlineData("n ≥ 2", "$one", "--variance", "unbiased")]
    [InlineData("n ≥ 2", "$one", "--preset", "pytorch")]
    [InlineData("nan.npy: Non-finite batch statistics for x [8, 4] float32", "$nan")]
    [InlineData("channel 2 batch mean NaN, batch variance NaN", "$nan")]
    [InlineData("pass --allow-nonfinite to propagate them", "$nan")]
    [InlineData("channel 2 batch mean NaN", "$nan", "--ema", "skip")]
    [InlineData("channel 2 batch mean NaN", "$nan", "--virtual-batch-size", "4")]
    [InlineData("inf.npy: Non-finite batch statistics for x [8, 3] float64 (channel axis 1): channel 0 batch mean -∞", "$inf")]
    [InlineData("huge.npy: Non-finite batch statistics", "$huge")]
    [InlineData("channel 1 batch variance", "$huge")]
    [InlineData("too large for float32", "$huge")]
    public void BadInputFilesAreRejected(string fragment, string input, params string[] options) =>
        AssertRejected(fragment, ["run", "--input", input, "--output", "$out", "--state-out", "$state-out", .. options]);

    [Theory]
    [InlineData("axis 2", "--axis", "2")]
    [InlineData("axis -3", "--axis", "-3")]
    [InlineData("3", "--state-in", "$state3")]
    [InlineData("3", "--state-in", "$state3", "--mode", "infer")]
    [InlineData("mean/EMA", "--state-in", "$state64")]
    [InlineData("truncated", "--state-in", "$truncated")]
    [InlineData("garbage.npz", "--state-in", "$garbage.npz")]
    [InlineData("x32.npy", "--state-in", "$x32")]
    [InlineData("missing.npy", "--state-in", "$missing")]
    [InlineData("nan-state.npz: 'mean/EMA' is not finite in channel(s) 1", "--state-in", "$nan-state")]
    [InlineData("pass --allow-nonfinite to use it anyway", "--state-in", "$nan-state", "--mode", "infer")]
    [InlineData("momentum", "--momentum", "2")]
    [InlineData("momentum", "--momentum", "-0.5")]
    [InlineData("momentum", "--momentum", "NaN")]
    [InlineData("epsilon", "--epsilon", "-1")]
    [InlineData("epsilon", "--epsilon", "Infinity")]
    [InlineData("--mode", "--mode", "bogus")]
    [InlineData("--ema", "--ema", "bogus")]
    [InlineData("--data-format", "--data-format", "bogus")]
    [InlineData("--preset", "--preset", "bogus")]
    [InlineData("--variance", "--variance", "bogus")]
    public void BadOptionsAreRejected(string fragment, params string[] options) =>
        AssertRejected(fragment, ["run", "--input", "$x32", "--output", "$out", "--state-out", "$state-out", .. options]);

    /// <summary>The run is computed, but one of its two outputs cannot be written: the other must not be written either.</summary>
    [Theory]
    [InlineData("missing-dir/s.npz", "$out")]
    [InlineData("a-directory", "$out")]
    [InlineData("$state-out", "missing-dir/y.npy")]
    [InlineData("$state-out", "a-directory")]
    public void AnUnwritableOutputLeavesTheOtherUnwritten(string stateOut, string output)
    {
        Directory.CreateDirectory(_files.File("a-directory"));
        string Place(string token) => token.StartsWith('$') ? token : _files.File(token);

        AssertRejected(string.Empty, ["run", "--input", "$x32", "--output", Place(output), "--state-out", Place(stateOut)]);
    }

    /// <summary>
    /// Runs <paramref name="args"/> twice: with <c>$out</c>/<c>$state-out</c> naming files that do not exist, then files
    /// that do. Each time: exit 2, nothing on standard output, one line on standard error starting with
    /// <c>bnnative</c> and containing <paramref name="fragment"/>, and the directory exactly as before.
    /// </summary>
    private void AssertRejected(string fragment, string[] args)
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

            var result = CliResult.Of([.. args.Select(arg => paths.GetValueOrDefault(arg, arg))]);

            string context = $"bnnative {string.Join(' ', args)} (existing outputs: {existing})";
            Assert.True(result.ExitCode == CliApp.BadInput, $"{context}: exit {result.ExitCode}; stderr: {result.Error}");
            Assert.Equal(string.Empty, result.Output);
            string[] lines = result.Error.Split('\n');
            Assert.True(lines is [var line, ""] && line.Trim().Length > 0, $"{context}: expected one line on stderr, got: {result.Error}");
            Assert.StartsWith("bnnative", result.Error, StringComparison.Ordinal);
            Assert.Contains(fragment, result.Error, StringComparison.OrdinalIgnoreCase);
            Assert.Equal(before, Listing());
            Assert.All(snapshots, snapshot => snapshot.AssertUnchanged());
        }
    }

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
