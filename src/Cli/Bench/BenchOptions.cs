using System.Globalization;
using BnNative.Moments;

namespace BnNative.Cli.Bench;

/// <summary>
/// What <c>bnnative bench</c> measures, validated from the command line before anything runs: the cases
/// (shape × layout), thread counts, operations, moments backends, rounds and the optional JSON path.
/// </summary>
internal sealed record BenchOptions
{
    /// <summary>Default <c>--rounds</c>.</summary>
    public const int DefaultRounds = 15;

    /// <summary>The tensors, in table order.</summary>
    public required IReadOnlyList<BenchCase> Cases { get; init; }

    /// <summary>Thread counts, each ≥ 1.</summary>
    public required IReadOnlyList<int> Threads { get; init; }

    /// <summary>Operations.</summary>
    public required IReadOnlyList<BenchOp> Ops { get; init; }

    /// <summary>Moments backends, loaded.</summary>
    public required IReadOnlyList<MomentsBackend> Backends { get; init; }

    /// <summary>
    /// The APIs to call (<c>--api</c>): the in-place layer, the record functions, and the bare-loop lower bound
    /// (<see cref="BenchApi.Bound"/>), any of them.
    /// </summary>
    public required IReadOnlyList<BenchApi> Apis { get; init; }

    /// <summary>Timed rounds per row, ≥ 1.</summary>
    public int Rounds { get; init; } = DefaultRounds;

    /// <summary>Where to write the JSON rows, or null.</summary>
    public string? JsonPath { get; init; }

    /// <summary>The train and inference floors' copy in cache (<c>--floor-copy</c>).</summary>
    public FloorCopy FloorCopy { get; init; } = FloorCopy.Best;

    /// <summary>Number of rows the options produce.</summary>
    public int RowCount => Cases.Count * Threads.Count * Ops.Count * Backends.Count * Apis.Count;

    /// <summary>Validates the raw option values.</summary>
    /// <param name="shapes"><c>--shape</c> values (repeatable; each may hold several shapes separated by <c>;</c>). None: the
    /// default table's cases, restricted to <paramref name="layouts"/> when given.</param>
    /// <param name="layouts"><c>--layout</c>: comma list; null: every layout the shape's rank takes. With explicit shapes,
    /// every shape must take every listed layout.</param>
    /// <param name="threads"><c>--threads</c>: comma list.</param>
    /// <param name="ops"><c>--op</c>: comma list.</param>
    /// <param name="backends"><c>--backend</c>: comma list of <see cref="MomentsBackend.Parse"/> names.</param>
    /// <param name="apis"><c>--api</c>: comma list of layer | record | bound.</param>
    /// <param name="rounds"><c>--rounds</c>.</param>
    /// <param name="jsonPath"><c>--json</c>; its directory must exist.</param>
    /// <param name="floorCopy"><c>--floor-copy</c>: best | vector.</param>
    /// <exception cref="ArgumentException">Any value is malformed or out of range; the message names the option.</exception>
    /// <exception cref="NativeBackendUnavailableException">A native backend was named but does not load.</exception>
    public static BenchOptions Parse(
        IReadOnlyList<string> shapes, string? layouts, string threads, string ops, string backends, string apis, int rounds, string? jsonPath,
        string floorCopy = "best")
    {
        ArgumentNullException.ThrowIfNull(shapes);
        if (rounds < 1)
        {
            throw new ArgumentException($"--rounds must be ≥ 1; got {rounds}.", nameof(rounds));
        }

        var layoutList = layouts is null ? null : Words("--layout", layouts).Select(word => EnumOption.Parse<BenchLayout>("--layout", word)).Distinct().ToList();
        List<BenchCase> cases = shapes.Count == 0
            ? [.. BenchCase.Defaults.Where(c => layoutList is null || layoutList.Contains(c.Layout))]
            : [.. ShapeLengths(shapes)
                .SelectMany(lengths => (layoutList ?? BenchCase.DefaultLayouts(lengths.Length)).Select(layout => new BenchCase(lengths, layout)))
                .Distinct()];
        var options = new BenchOptions
        {
            Cases = cases,
            Threads = [.. Words("--threads", threads).Select(word => PositiveInt("--threads", word)).Distinct()],
            Ops = [.. Words("--op", ops).Select(word => EnumOption.Parse<BenchOp>("--op", word)).Distinct()],
            Backends = [.. Words("--backend", backends).Distinct(StringComparer.OrdinalIgnoreCase).Select(MomentsBackend.Parse)],
            Apis = [.. Words("--api", apis).Select(word => EnumOption.Parse<BenchApi>("--api", word)).Distinct()],
            Rounds = rounds,
            JsonPath = jsonPath is null ? null : CheckJsonPath(jsonPath),
            FloorCopy = EnumOption.Parse<FloorCopy>("--floor-copy", floorCopy ?? throw new ArgumentNullException(nameof(floorCopy))),
        };
        CheckBounds(options);
        return options;
    }

    /// <summary>With <c>--api bound</c>, every row must be one <see cref="BoundKernels"/> measures.</summary>
    private static void CheckBounds(BenchOptions options)
    {
        if (!options.Apis.Contains(BenchApi.Bound))
        {
            return;
        }

        foreach (var benchCase in options.Cases)
        {
            foreach (int threads in options.Threads)
            {
                foreach (var op in options.Ops)
                {
                    if (!BoundKernels.Supports(op, benchCase, threads))
                    {
                        throw new ArgumentException(
                            $"{BoundKernels.Requirement}; got {benchCase} {EnumOption.Name(op)} with {threads} threads.", "apis");
                    }
                }
            }
        }
    }

    private static IEnumerable<int[]> ShapeLengths(IEnumerable<string> values) =>
        values.SelectMany(value => value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(group => group.Split(',', StringSplitOptions.TrimEntries).Select(word =>
                int.TryParse(word, NumberStyles.None, CultureInfo.InvariantCulture, out int length)
                    ? length
                    : throw new ArgumentException($"--shape '{group}' is not a comma-separated list of lengths such as 64,64,56,56.", nameof(values)))
                .ToArray());

    private static string[] Words(string option, string list)
    {
        string[] words = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return words.Length > 0 ? words : throw new ArgumentException($"{option} needs at least one value; got '{list}'.", nameof(list));
    }

    private static int PositiveInt(string option, string word) =>
        int.TryParse(word, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value >= 1
            ? value
            : throw new ArgumentException($"{option} '{word}' is not a whole number ≥ 1.", nameof(word));

    private static string CheckJsonPath(string path)
    {
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full) || Path.GetFileName(full).Length == 0)
        {
            throw new ArgumentException($"--json '{path}' names a directory; expected a file path.", nameof(path));
        }

        string directory = Path.GetDirectoryName(full)!;
        return Directory.Exists(directory)
            ? path
            : throw new ArgumentException($"--json '{path}': expected the directory '{directory}' to exist, found none.", nameof(path));
    }
}
