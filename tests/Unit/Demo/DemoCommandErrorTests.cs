using BnNative.Demo;
using BnNative.Tests.Cli;
using BnNative.Tests.IO;

namespace BnNative.Tests.Demo;

/// <summary>
/// Bad options and bad <c>--data</c>/<c>--labels</c> files make <c>bnnative-demo</c> exit with
/// <see cref="DemoApp.BadInput"/>, one line on standard error, nothing on standard output, and no output folder.
/// </summary>
/// <remarks>
/// Arguments name files with tokens (<c>$…</c>) that the constructor writes; <c>$missing…</c> are never written and
/// <c>$out</c> is the output folder, which must not appear. The valid 40-sample set needs <c>--batch-size 8</c>
/// (32 training samples), so the cases on it pass that to fail for the reason they test and no other.
/// </remarks>
public sealed class DemoCommandErrorTests : IDisposable
{
    private const int Samples = 40;

    private readonly TempDirectory _files = new();
    private readonly Dictionary<string, string> _paths = [];

    public DemoCommandErrorTests()
    {
        var (features, labels) = DemoFiles.TwoClasses(Samples, 2, seed: 1);
        Add("$x", "x.npy", path => DemoFiles.WriteFeatures(path, features, 2));
        Add("$x.csv", "x.csv", path => DemoFiles.WriteCsv(path, features, 2));
        Add("$x.txt", "x.txt", path => DemoFiles.WriteCsv(path, features, 2));
        Add("$y", "y.npy", path => DemoFiles.WriteLabels(path, labels));
        Add("$rank1", "rank1.npy", path => DemoFiles.WriteFloats(path, [.. features.Select(v => (float)v)], Samples * 2));
        Add("$rank3", "rank3.npy", path => DemoFiles.WriteFloats(path, new float[Samples * 2], Samples, 2, 1));
        Add("$int64", "int64.npy", path => File.WriteAllBytes(path, NpyBytes.Simple("<i8", $"({Samples}, 2)", NpyBytes.Longs(new long[Samples * 2]))));
        Add("$no-rows", "no-rows.npy", path => DemoFiles.WriteFloats(path, [], 0, 2));
        Add("$no-columns", "no-columns.npy", path => DemoFiles.WriteFloats(path, [], Samples, 0));
        Add("$nine", "nine.npy", path => DemoFiles.WriteFeatures(path, features[..18], 2));
        Add("$y9", "y9.npy", path => DemoFiles.WriteLabels(path, labels[..9]));
        Add("$nan", "nan.npy", path => DemoFiles.WriteFeatures(path, [.. features[..7], double.NaN, .. features[8..]], 2));
        Add("$inf", "inf.npy", path => DemoFiles.WriteFloats(path, [.. features.Select((v, i) => i == 11 ? float.PositiveInfinity : (float)v)], Samples, 2));
        Add("$garbage", "garbage.npy", path => File.WriteAllBytes(path, [.. Enumerable.Range(0, 200).Select(i => (byte)(i * 37))]));
        Add("$word.csv", "word.csv", path => File.WriteAllLines(path, EditCsv(lines => lines.Insert(2, "1.5,abc"))));
        Add("$header.csv", "header.csv", path => File.WriteAllLines(path, EditCsv(lines => lines.Insert(0, "x,y"))));
        Add("$ragged.csv", "ragged.csv", path => File.WriteAllLines(path, EditCsv(lines => lines[4] = "1,2,3")));
        Add("$empty.csv", "empty.csv", path => File.WriteAllText(path, string.Empty));
        Add("$blank.csv", "blank.csv", path => File.WriteAllText(path, "\n  \n\n"));
        Add("$nan.csv", "nan.csv", path => File.WriteAllLines(path, EditCsv(lines => lines[6] = "0.25,NaN")));
        Add("$dir.csv", "dir.csv", path => Directory.CreateDirectory(path));
        Add("$y-short", "y-short.npy", path => DemoFiles.WriteLabels(path, labels[..^1]));
        Add("$y-long", "y-long.npy", path => DemoFiles.WriteLabels(path, [.. labels, 1]));
        Add("$y-negative", "y-negative.npy", path => DemoFiles.WriteLabels(path, [.. labels[..5], -1, .. labels[6..]]));
        Add("$y-fraction", "y-fraction.npy", path => DemoFiles.WriteFloatLabels(path, [.. labels.Select((l, i) => i == 3 ? 0.5 : l)]));
        Add("$y-nan", "y-nan.npy", path => DemoFiles.WriteFloatLabels(path, [.. labels.Select((l, i) => i == 3 ? double.NaN : l)]));
        Add("$y-huge", "y-huge.npy", path => DemoFiles.WriteLabels(path, [.. labels[..^1], 1_000_000]));
        Add("$y-zero", "y-zero.npy", path => DemoFiles.WriteLabels(path, new long[Samples]));
        Add("$y-ones", "y-ones.npy", path => DemoFiles.WriteLabels(path, [.. Enumerable.Repeat(1L, Samples)]));
        Add("$y-2d", "y-2d.npy", path => DemoFiles.WriteFeatures(path, [.. labels.Select(l => (double)l)], 1));
        Add("$y-garbage", "y-garbage.npy", path => File.WriteAllBytes(path, File.ReadAllBytes(_paths["$garbage"])));
        Add("$y.csv", "y.csv", path => File.WriteAllText(path, string.Join('\n', labels)));
        Add("$file", "a-file", path => File.WriteAllText(path, "not a folder"));
        _paths["$missing.npy"] = _files.File("missing.npy");
        _paths["$missing.csv"] = _files.File("missing.csv");
        _paths["$out"] = _files.File("out");
    }

    public void Dispose() => _files.Dispose();

    [Theory]
    [InlineData("missing.npy", "$missing.npy")]
    [InlineData("missing.csv", "$missing.csv")]
    [InlineData("dir.csv", "$dir.csv")]
    [InlineData(".npy or .csv", "$x.txt")]
    [InlineData("2-D", "$rank1")]
    [InlineData("2-D", "$rank3")]
    [InlineData("non-empty", "$no-rows")]
    [InlineData("non-empty", "$no-columns")]
    [InlineData("float32 or float64", "$int64")]
    [InlineData("garbage.npy", "$garbage")]
    [InlineData("word.csv:3: 'abc' is not a number", "$word.csv")]
    [InlineData("'x' is not a number", "$header.csv")]
    [InlineData("ragged.csv:5: 3 values but the first row has 2", "$ragged.csv")]
    [InlineData("no samples", "$empty.csv")]
    [InlineData("no samples", "$blank.csv")]
    [InlineData("sample 3, feature 1", "$nan")]
    [InlineData("sample 5, feature 1", "$inf")]
    [InlineData("sample 6, feature 1 is NaN; features must be finite", "$nan.csv")]
    public void BadFeatureFilesAreRejected(string fragment, string data) =>
        AssertRejected(fragment, "--data", data, "--labels", "$y", "--batch-size", "8", "--out", "$out");

    [Theory]
    [InlineData("missing.npy", "$missing.npy")]
    [InlineData("39 labels but", "$y-short")]
    [InlineData("41 labels but", "$y-long")]
    [InlineData("label 5 is", "$y-negative")]
    [InlineData("label 3 is", "$y-fraction")]
    [InlineData("label 3 is", "$y-nan")]
    [InlineData("[0, 1000]", "$y-huge")]
    [InlineData("at least 2 classes", "$y-zero")]
    [InlineData("every label is 1; classification needs at least 2 classes", "$y-ones")]
    [InlineData("1-D", "$y-2d")]
    [InlineData("y-garbage.npy", "$y-garbage")]
    [InlineData("--labels must be a .npy", "$y.csv")]
    public void BadLabelFilesAreRejected(string fragment, string labels) =>
        AssertRejected(fragment, "--data", "$x", "--labels", labels, "--batch-size", "8", "--out", "$out");

    [Fact]
    public void TooFewSamplesAreRejected() =>
        AssertRejected("at least 10", "--data", "$nine", "--labels", "$y9", "--batch-size", "1", "--out", "$out");

    [Theory]
    [InlineData("--data and --labels go together", "--data", "$x")]
    [InlineData("--data and --labels go together", "--labels", "$y")]
    [InlineData("--batch-size 64 is larger than the 32 training samples", "--data", "$x", "--labels", "$y")]
    [InlineData("--batch-size 33 is larger than the 32 training samples", "--data", "$x", "--labels", "$y", "--batch-size", "33")]
    [InlineData("--batch-size 2000 is larger than the 1440 training samples", "--batch-size", "2000")]
    [InlineData("--epochs must be ≥ 1; got 0", "--epochs", "0")]
    [InlineData("--epochs must be ≥ 1; got -3", "--epochs", "-3")]
    [InlineData("--batch-size must be ≥ 1; got 0", "--batch-size", "0")]
    [InlineData("--lr must be a positive number", "--lr", "0")]
    [InlineData("--lr must be a positive number", "--lr", "-0.1")]
    [InlineData("--lr must be a positive number", "--lr", "NaN")]
    [InlineData("--lr must be a positive number", "--lr", "Infinity")]
    [InlineData("--ema 'bogus' is not one of internal, collection, skip", "--ema", "bogus")]
    [InlineData("--sync 'bogus' is not one of none, mpi", "--sync", "bogus")]
    [InlineData("--virtual-batch-size 5 does not divide --batch-size 64", "--virtual-batch-size", "5")]
    [InlineData("--virtual-batch-size 0 does not divide", "--virtual-batch-size", "0")]
    [InlineData("--virtual-batch-size -4 does not divide", "--virtual-batch-size", "-4")]
    [InlineData("--virtual-batch-size 12 does not divide --batch-size 8", "--batch-size", "8", "--virtual-batch-size", "12")]
    [InlineData("cannot be combined with --sync mpi", "--sync", "mpi", "--virtual-batch-size", "16")]
    public void BadOptionsAreRejected(string fragment, params string[] options) =>
        AssertRejected(fragment, ["--out", "$out", .. options]);

    [Theory]
    [InlineData("--epochs", "--epochs", "abc")]
    [InlineData("--lr", "--lr", "fast")]
    [InlineData("--bogus", "--bogus")]
    [InlineData("--epochs", "--epochs")]
    public void CommandLinesThatDoNotParseAreRejected(string fragment, params string[] options) =>
        AssertRejected(fragment, ["--out", "$out", .. options]);

    [Fact]
    public void AnOutFolderThatIsAFileIsRejectedAndLeftAlone()
    {
        var snapshot = FileSnapshot.Create(_paths["$file"], "not a folder"u8.ToArray());

        AssertRejected("is a file, not a folder", "--epochs", "1", "--out", "$file");

        snapshot.AssertUnchanged();
    }

    [Fact]
    public void AnOutFolderBelowAFileIsRejectedBeforeTraining()
    {
        var snapshot = FileSnapshot.Create(_paths["$file"], "not a folder"u8.ToArray());

        AssertRejected("is a file, so the folder cannot be created", "--epochs", "1", "--out", Path.Combine(_paths["$file"], "sub", "dir"));

        snapshot.AssertUnchanged();
    }

    [Fact]
    public void AnEmptyOutIsRejected() => AssertRejected("--out must name a folder", "--epochs", "1", "--out", " ");

    /// <summary>
    /// Runs <paramref name="args"/> (tokens replaced by paths): exit 2, nothing on standard output, exactly one
    /// non-empty line on standard error starting with <c>bnnative-demo:</c> and containing <paramref name="fragment"/>, and
    /// the test directory exactly as before (in particular no output folder).
    /// </summary>
    private void AssertRejected(string fragment, params string[] args)
    {
        string before = Listing();
        string[] resolved = [.. args.Select(arg => _paths.GetValueOrDefault(arg, arg))];

        var result = DemoRuns.Command(resolved);

        string context = string.Join(' ', args);
        Assert.True(result.ExitCode == DemoApp.BadInput, $"{context}: exit {result.ExitCode}; stderr: {result.Error}");
        Assert.Equal(string.Empty, result.Output);
        Assert.True(result.Error.Split('\n') is [var line, ""] && line.Trim().Length > 0, $"{context}: expected one line on stderr, got: {result.Error}");
        Assert.StartsWith("bnnative-demo: ", result.Error, StringComparison.Ordinal);
        Assert.Contains(fragment, result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_paths["$out"]), $"{context}: the output folder was created");
        Assert.Equal(before, Listing());
    }

    /// <summary>Every file and directory below the test directory, relative to it, one a line.</summary>
    private string Listing() => string.Join(
        '\n',
        Directory.GetFileSystemEntries(_files.Path, "*", SearchOption.AllDirectories)
            .Select(entry => Path.GetRelativePath(_files.Path, entry))
            .Order(StringComparer.Ordinal));

    /// <summary>The lines of the valid CSV file after <paramref name="edit"/>.</summary>
    private List<string> EditCsv(Action<List<string>> edit)
    {
        var lines = File.ReadAllLines(_paths["$x.csv"]).ToList();
        edit(lines);
        return lines;
    }

    private void Add(string token, string name, Action<string> write)
    {
        _paths[token] = _files.File(name);
        write(_paths[token]);
    }
}
