using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.Loader;
using BnNative.Normalization;
using BnNative.Tensors;

namespace BnNative.Benchmarks;

/// <summary>
/// <c>builds DIR_A DIR_B</c>: two builds of BnNative.Core in one process, timed in alternating rounds. Separate
/// processes on this kind of VM land in fast or slow modes (a [32, 64] inference 0.17 µs in one process, 0.29 µs in
/// the next, same build), so an A/B of two processes cannot resolve a few percent; here each build gets its own
/// <see cref="AssemblyLoadContext"/> (this assembly loaded into it again, BnNative.Core from the build's directory),
/// both are warmed up until tiered compilation is done, and rounds of about 5 ms alternate A and B (A first in even
/// rounds). The result is the median of the per-round ratios B/A with its quartiles. Where code and stack land still
/// moves a ratio by a few percent from one process to the next: for effects that small, run it several times with the
/// directories swapped as well.
/// </summary>
/// <remarks>
/// Options: <c>--shape 32,64</c> (the physical lengths, contiguous), <c>--axis 1</c> (the channel axis in them: 1 for
/// rows of channels and NCHW, 3 for NHWC), <c>--op train|infer|backward</c>,
/// <c>--threads 1</c>, <c>--rounds 41</c>, <c>--variant-a</c> / <c>--variant-b</c> (a comma list of <c>skip</c>:
/// <see cref="EmaUpdate.Skip"/>, <c>nonfinite</c>: <see cref="BatchNormConfig.AllowNonFinite"/>) to price parts of a
/// step with one build on both sides.
/// </remarks>
internal static class BuildsRunner
{
    private static readonly TimeSpan WarmUpTime = TimeSpan.FromSeconds(1.5);
    private const double RoundMilliseconds = 5;

    public static void Run(string[] args)
    {
        if (args.Length < 2 || !Directory.Exists(args[0]) || !Directory.Exists(args[1]))
        {
            throw new ArgumentException(
                "usage: builds DIR_A DIR_B [--shape 32,64] [--axis 1] [--op train|infer|backward] [--threads 1] [--rounds 41] [--variant-a LIST] [--variant-b LIST]; "
                + "each directory holds a BnNative.Core.dll");
        }

        string shape = Option(args, "--shape", "32,64");
        string op = Option(args, "--op", "train");
        int threads = int.Parse(Option(args, "--threads", "1"), CultureInfo.InvariantCulture);
        int rounds = int.Parse(Option(args, "--rounds", "41"), CultureInfo.InvariantCulture);
        // The channel axis rides in the variant list, which reaches each side's context as a plain string.
        string axis = "axis=" + Option(args, "--axis", "1");
        var kernels = new[]
        {
            Load(args[0], "A", shape, op, threads, Option(args, "--variant-a", "") + "," + axis),
            Load(args[1], "B", shape, op, threads, Option(args, "--variant-b", "") + "," + axis),
        };

        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < WarmUpTime)
        {
            kernels[0]();
            kernels[1]();
        }

        int calls = 1;
        while (Time(kernels[0], calls) < RoundMilliseconds && calls < (1 << 24))
        {
            calls *= 2;
        }

        var times = new[] { new double[rounds], new double[rounds] };
        var ratios = new double[rounds];
        for (int round = 0; round < rounds; round++)
        {
            for (int k = 0; k < 2; k++)
            {
                int which = round % 2 == 0 ? k : 1 - k;
                times[which][round] = Time(kernels[which], calls) * 1000 / calls;
            }

            ratios[round] = times[1][round] / times[0][round];
        }

        Array.Sort(ratios);
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"[{shape}] {op} {threads}T, {rounds} rounds of {calls} calls: A {Median(times[0]):F3} µs, B {Median(times[1]):F3} µs; "
            + $"B/A median {ratios[rounds / 2]:F3} (quartiles {ratios[rounds / 4]:F3}–{ratios[3 * rounds / 4]:F3})"));
    }

    /// <summary>
    /// The kernel of one side, built in that side's context by <see cref="CreateKernel"/>: a layer on pinned tensors
    /// at fixed page offsets (x at 0, dy at 1 KiB, y at 2 KiB, dx at 3 KiB, as in <c>bnnative bench</c>).
    /// </summary>
    public static Action CreateKernel(string shape, string op, int threads, string variant)
    {
        int[] lengths = shape.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        int elements = lengths.Aggregate(1, (a, b) => checked(a * b));
        var random = new Random(42);
        var x = Place(lengths, elements, 0, random, 0);
        var dy = Place(lengths, elements, 1, random, -0.5f);
        var y = Place(lengths, elements, 2, null, 0);
        var dx = Place(lengths, elements, 3, null, 0);
        string? axisItem = variant.Split(',').FirstOrDefault(item => item.StartsWith("axis=", StringComparison.Ordinal));
        int axis = axisItem is null ? 1 : int.Parse(axisItem["axis=".Length..], CultureInfo.InvariantCulture);
        var config = new BatchNormConfig
        {
            Axis = axis,
            Threads = threads,
            EmaUpdate = variant.Contains("skip", StringComparison.Ordinal) ? EmaUpdate.Skip : EmaUpdate.Internal,
            AllowNonFinite = variant.Contains("nonfinite", StringComparison.Ordinal),
        };
        var layer = new BatchNormLayer<float>(lengths[axis], config);
        layer.Train(x, y);
        return op switch
        {
            "train" => () => layer.Train(x, y),
            "infer" => () => layer.Infer(x, y),
            "backward" => () => layer.Backward(dy, dx),
            _ => throw new ArgumentException($"--op must be train, infer or backward; got {op}"),
        };
    }

    private static TensorView<float> Place(int[] lengths, int elements, int quarter, Random? random, float offset)
    {
        const int page = 4096;
        var storage = GC.AllocateArray<float>(elements + (2 * page / sizeof(float)), pinned: true);
        int skip;
        unsafe
        {
            fixed (float* start = storage)
            {
                long address = (long)start;
                skip = (int)((((page - (address % page)) % page) + (quarter * page / 4)) / sizeof(float));
            }
        }

        var memory = storage.AsMemory(skip, elements);
        if (random is not null)
        {
            var span = memory.Span;
            for (int i = 0; i < elements; i++)
            {
                span[i] = random.NextSingle() + offset;
            }
        }

        return TensorView<float>.Create(memory, lengths);
    }

    private static Action Load(string directory, string side, string shape, string op, int threads, string variant)
    {
        var context = new BuildContext(Path.GetFullPath(directory), side);
        var self = context.LoadFromAssemblyPath(typeof(BuildsRunner).Assembly.Location);
        var create = self.GetType(typeof(BuildsRunner).FullName!, throwOnError: true)!
            .GetMethod(nameof(CreateKernel), BindingFlags.Public | BindingFlags.Static)!;
        return (Action)create.Invoke(null, [shape, op, threads, variant])!;
    }

    private static double Time(Action kernel, int calls)
    {
        long start = Stopwatch.GetTimestamp();
        for (int call = 0; call < calls; call++)
        {
            kernel();
        }

        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    /// <summary>The value after <paramref name="name"/> in <paramref name="args"/>, or <paramref name="fallback"/>.</summary>
    internal static string Option(string[] args, string name, string fallback)
    {
        int at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback;
    }

    /// <summary>One side: BnNative.Core from the build's directory; everything else from the default context.</summary>
    private sealed class BuildContext(string directory, string name) : AssemblyLoadContext($"build {name}")
    {
        protected override Assembly? Load(AssemblyName assemblyName) =>
            assemblyName.Name == "BnNative.Core" ? LoadFromAssemblyPath(Path.Combine(directory, "BnNative.Core.dll")) : null;
    }
}
