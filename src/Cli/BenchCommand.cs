using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using BnNative.Cli.Bench;
using BnNative.Moments;

namespace BnNative.Cli;

/// <summary>
/// <c>bnnative bench</c>: times BatchNorm train, infer and backward through the public API, each interleaved with its
/// bandwidth floor in the same run, and prints kernel / floor ratios (optionally also as JSON). Bad arguments: exit 2
/// with one line on standard error, before anything is measured or written.
/// </summary>
internal static class BenchCommand
{
    /// <summary>Creates the command; the table goes to <paramref name="output"/>, progress and errors to <paramref name="error"/>.</summary>
    public static Command Create(TextWriter output, TextWriter error)
    {
        var shape = new Option<string[]>("--shape")
        {
            Description = "Logical lengths N,C,H,W or N,C; repeat the option or separate shapes with ';' (e.g. \"64,64,56,56;1024,512\"). Default: the full table.",
        };
        var layout = new Option<string?>("--layout")
        {
            Description = "Comma list of nchw | nhwc | permuted (rank 4) | rows (rank 2). Default: every layout the shape's rank takes.",
        };
        var threads = new Option<string>("--threads") { Description = "Comma list of thread counts.", DefaultValueFactory = _ => "1,2" };
        var op = new Option<string>("--op") { Description = "Comma list of train | infer | backward.", DefaultValueFactory = _ => "train,infer,backward" };
        var backend = new Option<string>("--backend") { Description = "Comma list of moments backends (auto, simd, reference, cblas, cblas:openblas, …).", DefaultValueFactory = _ => "auto" };
        var api = new Option<string>("--api")
        {
            Description = "Comma list of layer (BatchNormLayer, in place, no allocation) | record (BatchNorm's functions, immutable results) | bound (bare loops of the train/infer/backward arithmetic, a lower bound: rows layout, C a multiple of 256, 1 thread, AVX-512).",
            DefaultValueFactory = _ => "layer",
        };
        var rounds = new Option<int>("--rounds") { Description = "Timed (floor, kernel) rounds per row, after warm-up.", DefaultValueFactory = _ => BenchOptions.DefaultRounds };
        var json = new Option<string?>("--json") { Description = "Also write the rows to this file as a JSON array." };
        var floorCopy = new Option<string>("--floor-copy")
        {
            Description = "The train and inference floors' copy in cache: best (Span.CopyTo, the C library's memmove: glibc's rep movsb writes lines without reading them) | vector (vector loads and ordinary stores, as a kernel writes).",
            DefaultValueFactory = _ => "best",
        };
        var command = new Command("bench", "Time BatchNorm train/infer/backward against a bandwidth floor measured in the same run.")
        {
            shape, layout, threads, op, backend, api, rounds, json, floorCopy,
        };
        command.SetAction(parsed =>
        {
            BenchOptions options;
            try
            {
                options = BenchOptions.Parse(
                    parsed.GetValue(shape) ?? [], parsed.GetValue(layout), parsed.GetValue(threads)!, parsed.GetValue(op)!,
                    parsed.GetValue(backend)!, parsed.GetValue(api)!, parsed.GetValue(rounds), parsed.GetValue(json), parsed.GetValue(floorCopy)!);
            }
            catch (Exception e) when (e is ArgumentException or NativeBackendUnavailableException)
            {
                return Fail(error, e);
            }

            try
            {
                var watch = Stopwatch.StartNew();
                BenchTable.WriteHeader(output, options.Rounds, options.FloorCopy);
                var rows = BenchRunner.Run(options, BenchProgress.For(error));
                BenchTable.WriteRows(output, rows);
                output.WriteLine();
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{rows.Count} rows in {watch.Elapsed.TotalSeconds:F1} s."));
                if (options.JsonPath is { } path)
                {
                    BenchJson.Write(path, rows);
                }

                return 0;
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or UnauthorizedAccessException)
            {
                return Fail(error, e);
            }
        });
        return command;
    }

    private static int Fail(TextWriter error, Exception e)
    {
        // The option is named in the message; the parameter suffix ArgumentException appends would only repeat it.
        string message = e is ArgumentException { ParamName: { } name } ? e.Message.Replace($" (Parameter '{name}')", string.Empty, StringComparison.Ordinal) : e.Message;
        error.WriteLine($"bnnative bench: {message.Split('\n', 2)[0].Trim()}");
        return CliApp.BadInput;
    }
}
