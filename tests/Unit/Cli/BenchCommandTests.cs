using System.Text.Json;
using BnNative.Cli;
using BnNative.Cli.Bench;
using BnNative.Tests.IO;

namespace BnNative.Tests.Cli;

/// <summary>
/// <c>bnnative bench</c>: a quick run writes one JSON row per combination with consistent fields; bad arguments exit 2
/// with a message naming the problem and write nothing; each layout builds the documented view; the floor passes
/// compute what they claim. No test looks at how long anything took.
/// </summary>
public sealed class BenchCommandTests : IDisposable
{
    private readonly TempDirectory _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void QuickRunWritesOneRowPerCombination()
    {
        string json = _files.File("bench.json");
        var result = CliResult.Of(
            "bench", "--shape", "4,3,5,5", "--layout", "nchw,nhwc,permuted", "--op", "train,infer,backward",
            "--threads", "1,2", "--rounds", "3", "--json", json);

        result.AssertSucceeded();
        Assert.Contains("| shape", result.Output, StringComparison.Ordinal);
        Assert.Contains("floor", result.Output, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(File.ReadAllText(json));
        var rows = document.RootElement.EnumerateArray().ToList();
        var expected =
            from layout in new[] { "nchw", "nhwc", "permuted" }
            from threads in new[] { 1, 2 }
            from op in new[] { "train", "infer", "backward" }
            select (layout, threads, op);
        Assert.Equal(
            expected.ToHashSet(),
            rows.Select(row => (row.GetProperty("layout").GetString()!, row.GetProperty("threads").GetInt32(), row.GetProperty("op").GetString()!)).ToHashSet());
        Assert.Equal(18, rows.Count);
        foreach (var row in rows)
        {
            Assert.Equal("4,3,5,5", row.GetProperty("shape").GetString());
            Assert.Equal("simd", row.GetProperty("backend").GetString());
            double median = row.GetProperty("median_ms").GetDouble();
            double floor = row.GetProperty("floor_ms").GetDouble();
            Assert.True(double.IsFinite(median) && median > 0, $"median_ms {median}");
            Assert.True(double.IsFinite(floor) && floor > 0, $"floor_ms {floor}");
            Assert.Equal(median / floor, row.GetProperty("ratio").GetDouble(), 1e-9 * (median / floor));
            Assert.True(row.GetProperty("alloc_bytes").GetInt64() >= 0);
            Assert.True(row.GetProperty("gb_per_s").GetDouble() > 0);
            Assert.Equal("best", row.GetProperty("floor_copy").GetString());
        }
    }

    [Fact]
    public void FloorCopyOptionIsRecordedInTheHeaderAndEveryRow()
    {
        string json = _files.File("vector.json");
        var result = CliResult.Of(
            "bench", "--shape", "32,64", "--op", "train,infer", "--threads", "1", "--rounds", "2", "--floor-copy", "vector", "--json", json);

        result.AssertSucceeded();
        Assert.Contains("--floor-copy vector", result.Output, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(File.ReadAllText(json));
        var rows = document.RootElement.EnumerateArray().ToList();
        Assert.Equal(2, rows.Count);
        Assert.All(rows, row => Assert.Equal("vector", row.GetProperty("floor_copy").GetString()));
        Assert.Equal(
            FloorCopy.Vector,
            BenchOptions.Parse([], null, "1", "infer", "auto", "layer", 1, null, "VECTOR").FloorCopy);
        Assert.Equal(FloorCopy.Best, BenchOptions.Parse([], null, "1", "infer", "auto", "layer", 1, null).FloorCopy);
    }

    [Fact]
    public void RankTwoShapesRunAsRows()
    {
        string json = _files.File("rows.json");
        CliResult.Of("bench", "--shape", "32,64;8,4", "--op", "infer", "--threads", "1", "--rounds", "1", "--json", json).AssertSucceeded();

        using var document = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(
            ["32,64 rows", "8,4 rows"],
            document.RootElement.EnumerateArray().Select(row => $"{row.GetProperty("shape").GetString()} {row.GetProperty("layout").GetString()}"));
    }

    [Fact]
    public void ApiOptionTimesTheLayerAndTheRecordFunctions()
    {
        string json = _files.File("api.json");
        CliResult.Of("bench", "--shape", "16,8", "--op", "train,backward", "--threads", "1", "--rounds", "1", "--api", "layer,record", "--json", json)
            .AssertSucceeded();
        string defaults = _files.File("default.json");
        CliResult.Of("bench", "--shape", "16,8", "--op", "infer", "--threads", "1", "--rounds", "1", "--json", defaults).AssertSucceeded();

        using var document = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(
            ["train layer", "train record", "backward layer", "backward record"],
            document.RootElement.EnumerateArray().Select(row => $"{row.GetProperty("op").GetString()} {row.GetProperty("api").GetString()}"));
        using var defaultDocument = JsonDocument.Parse(File.ReadAllText(defaults));
        Assert.Equal("layer", defaultDocument.RootElement.EnumerateArray().Single().GetProperty("api").GetString());
    }

    [Fact]
    public void DefaultTableHasEveryDocumentedRow()
    {
        var options = BenchOptions.Parse([], null, "1,2", "train,infer,backward", "auto", "layer", BenchOptions.DefaultRounds, null);

        Assert.Equal(
            [
                "[64,64,56,56] nchw", "[64,64,56,56] nhwc", "[64,64,56,56] permuted",
                "[256,256,14,14] nchw", "[256,256,14,14] nhwc", "[256,256,14,14] permuted",
                "[1024,512] rows", "[256,256] rows", "[32,64] rows",
            ],
            options.Cases.Select(c => c.ToString()));
        Assert.Equal(54, options.RowCount);
    }

    [Theory]
    [InlineData("--op 'forward' is not one of train, infer, backward", "--op", "forward")]
    [InlineData("--layout 'nchwx' is not one of nchw, nhwc, permuted, rows", "--layout", "nchwx")]
    [InlineData("--layout nchw does not apply to the rank-2 shape 32,64", "--shape", "32,64", "--layout", "nchw")]
    [InlineData("--layout rows does not apply to the rank-4 shape 4,3,5,5", "--shape", "4,3,5,5", "--layout", "rows")]
    [InlineData("--shape '4,x,5,5' is not a comma-separated list", "--shape", "4,x,5,5")]
    [InlineData("--shape 4,3,5 has 3 lengths", "--shape", "4,3,5")]
    [InlineData("--shape 4,0,5,5 has a length below 1", "--shape", "4,0,5,5")]
    [InlineData("--rounds must be ≥ 1; got 0", "--rounds", "0")]
    [InlineData("--threads '0' is not a whole number ≥ 1", "--threads", "0")]
    [InlineData("Unknown moments backend 'fast'", "--backend", "fast")]
    [InlineData("--op needs at least one value", "--op", ",")]
    [InlineData("--api 'fast' is not one of layer, record, bound", "--api", "fast")]
    [InlineData("--floor-copy 'memmove' is not one of best, vector", "--floor-copy", "memmove")]
    [InlineData("--api bound times bare loops", "--shape", "4,3,5,5", "--threads", "1", "--op", "train", "--api", "bound")]
    [InlineData("--api bound times bare loops", "--shape", "256,64", "--threads", "1", "--op", "train", "--api", "bound")]
    [InlineData("--api bound times bare loops", "--shape", "256,256", "--threads", "1,2", "--op", "train", "--api", "bound")]
    [InlineData("--api bound times bare loops", "--shape", "256,128", "--threads", "1", "--op", "infer", "--api", "bound")]
    public void BadArgumentsAreRejected(string fragment, params string[] args)
    {
        string json = _files.File("bad.json");
        var result = CliResult.Of(["bench", "--json", json, .. args]);

        Assert.Equal(CliApp.BadInput, result.ExitCode);
        Assert.Contains(fragment, result.Error, StringComparison.Ordinal);
        Assert.Single(result.Error.TrimEnd().Split('\n'));
        Assert.Equal(string.Empty, result.Output);
        Assert.Empty(_files.FileNames());
    }

    [Fact]
    public void JsonPathInMissingDirectoryIsRejectedBeforeMeasuring()
    {
        var result = CliResult.Of("bench", "--shape", "4,3,5,5", "--json", _files.File("missing/bench.json"));

        Assert.Equal(CliApp.BadInput, result.ExitCode);
        Assert.Contains("expected the directory", result.Error, StringComparison.Ordinal);
        Assert.Equal(string.Empty, result.Output);
    }

    [Theory]
    [InlineData("nchw", new[] { 2, 3, 4, 5 }, new long[] { 60, 20, 5, 1 }, 1)]
    [InlineData("nhwc", new[] { 2, 4, 5, 3 }, new long[] { 60, 15, 3, 1 }, 3)]
    [InlineData("permuted", new[] { 2, 4, 5, 3 }, new long[] { 60, 5, 1, 20 }, 3)]
    public void RankFourLayoutsBuildTheDocumentedViews(string layoutName, int[] lengths, long[] strides, int channelAxis)
    {
        var layout = EnumOption.Parse<BenchLayout>("--layout", layoutName);
        var tensors = BenchTensors.Create(new BenchCase([2, 3, 4, 5], layout));

        Assert.Equal(channelAxis, tensors.ChannelAxis);
        Assert.Equal(3, tensors.X.Lengths[channelAxis]);
        foreach (var view in new[] { tensors.X, tensors.Y, tensors.Dy, tensors.Dx })
        {
            Assert.Equal(lengths, view.Lengths.ToArray());
            Assert.Equal(strides, view.Shape.Strides.ToArray());
            Assert.Equal(120, view.Memory.Length);
        }

        Assert.Equal(layout != BenchLayout.Permuted, tensors.X.Shape.IsRowMajorContiguous);
    }

    [Fact]
    public void RowsLayoutIsRowMajorWithChannelsLast()
    {
        var tensors = BenchTensors.Create(new BenchCase([32, 64], BenchLayout.Rows));

        Assert.Equal(1, tensors.ChannelAxis);
        Assert.Equal([32, 64], tensors.X.Lengths.ToArray());
        Assert.Equal([64L, 1L], tensors.X.Shape.Strides.ToArray());
    }

    [Fact]
    public void PermutedViewReadsTheNchwBuffer()
    {
        var tensors = BenchTensors.Create(new BenchCase([2, 3, 4, 5], BenchLayout.Permuted));

        // Logical element (n, c, h, w) sits at NCHW offset ((n·C + c)·H + h)·W + w and at view index (n, h, w, c).
        Assert.Equal(tensors.XData[(((1 * 3) + 2) * 4 * 5) + (3 * 5) + 4], tensors.X[1, 3, 4, 2]);
    }

    [Theory]
    [InlineData(8, 16)]
    [InlineData(1024, 512)]
    [InlineData(3, 5)]
    public unsafe void TensorsAreAlignedAndInDifferentQuartersOfAPage(int rows, int channels)
    {
        var tensors = BenchTensors.Create(new BenchCase([rows, channels], BenchLayout.Rows));

        long[] offsets = new long[4];
        var buffers = new[] { tensors.XData, tensors.DyData, tensors.YData, tensors.DxData };
        for (int k = 0; k < 4; k++)
        {
            Assert.Equal(rows * channels, buffers[k].Count);
            fixed (float* p = buffers[k].AsSpan())
            {
                offsets[k] = (long)p % 4096;
            }
        }

        Assert.Equal([0L, 1024L, 2048L, 3072L], offsets);
        Assert.True(buffers[0].Offset + buffers[0].Count <= buffers[1].Offset, "x and dy overlap");
        Assert.True(buffers[1].Offset + buffers[1].Count <= buffers[2].Offset, "dy and y overlap");
        Assert.True(buffers[2].Offset + buffers[2].Count <= buffers[3].Offset, "y and dx overlap");
        Assert.All(tensors.YData, v => Assert.Equal(0f, v));
        Assert.All(tensors.DxData, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void DataIsSeededAndInTheDocumentedRanges()
    {
        var first = BenchTensors.Create(new BenchCase([8, 16], BenchLayout.Rows));
        var second = BenchTensors.Create(new BenchCase([8, 16], BenchLayout.Rows));

        Assert.Equal(first.XData, second.XData);
        Assert.Equal(first.DyData, second.DyData);
        Assert.All(first.XData, v => Assert.InRange(v, 0f, 1f));
        Assert.All(first.DyData, v => Assert.InRange(v, -0.5f, 0.5f));
    }

    [Theory]
    [InlineData(1, 1003)]
    [InlineData(2, 1003)]
    [InlineData(2, 5)]
    [InlineData(1, 64 + 16 + 3)] // the vector copy's four-vector steps, a single vector and a scalar tail
    [InlineData(2, (8 << 20) + 5)] // ≥ 32 MB: the streaming stores, with an unaligned head and tail per part.
    public void FloorPassesComputeWhatTheyClaim(int threads, int length)
    {
        var random = new Random(length);
        float[] a = [.. Enumerable.Range(0, length).Select(_ => random.NextSingle())];
        float[] b = [.. Enumerable.Range(0, length).Select(_ => random.NextSingle())];
        var destination = new float[length];

        MemoryPasses.Copy(a, destination, threads);
        Assert.Equal(a, destination);

        Array.Clear(destination);
        MemoryPasses.Copy(a, destination, threads, FloorCopy.Vector);
        Assert.Equal(a, destination);

        MemoryPasses.Combine(a, b, destination, threads);
        Assert.Equal(a.Zip(b, (x, y) => x + y), destination);

        double expected = a.Sum(x => (double)x);
        Assert.Equal(expected, MemoryPasses.Sum(a, threads), expected * 1e-4);
    }

    [Fact]
    public void FloorTrafficModelCountsTensorPasses()
    {
        Assert.Equal(3 * 100 * sizeof(float), BandwidthFloor.Bytes(BenchOp.Train, 100));
        Assert.Equal(2 * 100 * sizeof(float), BandwidthFloor.Bytes(BenchOp.Infer, 100));
        Assert.Equal(5 * 100 * sizeof(float), BandwidthFloor.Bytes(BenchOp.Backward, 100));
    }
}
