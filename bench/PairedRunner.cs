using System.Diagnostics;
using System.Globalization;
using BnNative.Cli.Bench;
using BnNative.Moments;
using BnNative.Tensors;

namespace BnNative.Benchmarks;

/// <summary>
/// <c>paired</c> mode: for every shape, thread count and backend, alternates one floor pass and one kernel call
/// for a number of rounds and reports the ratio of the medians. Interleaving cancels the slow drifts of a shared
/// machine that BenchmarkDotNet, which measures one case after another, cannot (PERF-NOTES: measure the floor in
/// the same run, interleaved with the kernel).
/// </summary>
public static class PairedRunner
{
    /// <summary>Runs the paired measurement and prints a markdown table.</summary>
    /// <param name="args">Optional: <c>--rounds N</c> (default 25), <c>--backends a,b</c> (default every one that loads).</param>
    public static void Run(string[] args)
    {
        int rounds = 25;
        var backends = MomentsBenchmarks.Backends.Where(b => b != "floor").ToList();
        for (int i = 0; i < args.Length - 1; i++)
        {
            if (args[i] == "--rounds")
            {
                rounds = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            }
            else if (args[i] == "--backends")
            {
                backends = [.. args[i + 1].Split(',')];
            }
        }

        Console.WriteLine($"Paired measurement: {rounds} rounds of (floor, kernel) per row; medians; ratio = floor / kernel time.");
        Console.WriteLine();
        Console.WriteLine("| Shape | Threads | Backend | Kernel GB/s | Floor GB/s | % of floor |");
        Console.WriteLine("|---|---:|---|---:|---:|---:|");
        foreach (var shape in MomentsShape.All)
        {
            var data = new float[shape.Elements];
            var random = new Random(42);
            for (int i = 0; i < data.Length; i++)
            {
                data[i] = 1e4f + (float)random.NextDouble();
            }

            var view = TensorView<float>.Create(data, shape.Lengths);
            foreach (int threads in new[] { 1, 2 })
            {
                foreach (string name in backends)
                {
                    var backend = MomentsBackend.Parse(name);
                    int calls = name == "reference" ? Math.Min(rounds, 5) : rounds;
                    var floor = new double[calls];
                    var kernel = new double[calls];
                    for (int warmup = 0; warmup < 3; warmup++)
                    {
                        // Untimed rounds: let tiered compilation finish and the pools fill before measuring.
                        backend.Compute(view, shape.ChannelAxis, threads);
                        MemoryPasses.Sum(data, threads);
                    }

                    for (int round = 0; round < calls; round++)
                    {
                        var watch = Stopwatch.StartNew();
                        MemoryPasses.Sum(data, threads);
                        floor[round] = watch.Elapsed.TotalSeconds;
                        watch.Restart();
                        backend.Compute(view, shape.ChannelAxis, threads);
                        kernel[round] = watch.Elapsed.TotalSeconds;
                    }

                    double bytes = shape.Elements * (double)sizeof(float);
                    double floorMedian = Median(floor);
                    double kernelMedian = Median(kernel);
                    Console.WriteLine(string.Create(
                        CultureInfo.InvariantCulture,
                        $"| {shape.Label} | {threads} | {name} | {bytes / kernelMedian / 1e9:F1} | {bytes / floorMedian / 1e9:F1} | {100 * floorMedian / kernelMedian:F0}% |"));
                }
            }
        }
    }

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }
}
