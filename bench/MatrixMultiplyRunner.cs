using System.Diagnostics;
using System.Globalization;

namespace BnNative.Benchmarks;

/// <summary>
/// <c>matmul</c> mode: a quick Stopwatch measurement of <see cref="MatrixMultiplyCase"/> for every provider, element
/// type and thread count; the median of several timed multiplies after one untimed one, and the speed-up over the
/// managed provider with the same element type and threads, as a markdown table.
/// </summary>
public static class MatrixMultiplyRunner
{
    /// <summary>Runs the measurement.</summary>
    /// <param name="args">Optional: <c>--size N</c> (default 1024), <c>--runs N</c> (default 5), <c>--threads 1,2</c>,
    /// <c>--reference</c> to include reference BLAS (a plain triple loop, slow).</param>
    public static void Run(string[] args)
    {
        int size = int.Parse(BuildsRunner.Option(args, "--size", "1024"), CultureInfo.InvariantCulture);
        int runs = int.Parse(BuildsRunner.Option(args, "--runs", "5"), CultureInfo.InvariantCulture);
        int[] threadCounts = [.. BuildsRunner.Option(args, "--threads", "1,2").Split(',').Select(t => int.Parse(t, CultureInfo.InvariantCulture))];
        bool reference = args.Contains("--reference");
        var providers = MatrixMultiplyCase.Providers(reference).ToList();
        Console.WriteLine($"{size}×{size} MathNet MatrixMultiply: median of {runs} timed runs after one untimed; {Environment.ProcessorCount} cores.");
        Console.WriteLine();
        Console.WriteLine("| Element | Threads | Provider | Median ms | GFLOP/s | Speed-up vs managed |");
        Console.WriteLine("|---|---:|---|---:|---:|---:|");
        var described = new SortedSet<string>(StringComparer.Ordinal);
        foreach (string element in new[] { "double", "float" })
        {
            foreach (int threads in threadCounts)
            {
                double managedMedian = double.NaN;
                foreach (string provider in providers)
                {
                    var multiply = MatrixMultiplyCase.Create(provider, element, size, threads);
                    multiply.Prepare();
                    multiply.Run();
                    var seconds = new double[runs];
                    for (int run = 0; run < runs; run++)
                    {
                        var watch = Stopwatch.StartNew();
                        multiply.Run();
                        seconds[run] = watch.Elapsed.TotalSeconds;
                    }

                    double median = seconds.Order().ElementAt(runs / 2);
                    if (provider == "managed")
                    {
                        managedMedian = median;
                    }

                    described.Add($"{provider}: {multiply.Describe()}");
                    Console.WriteLine(string.Create(
                        CultureInfo.InvariantCulture,
                        $"| {element} | {threads} | {provider} | {median * 1e3:F1} | {multiply.Flops / median / 1e9:F2} | {managedMedian / median:F1}× |"));
                }
            }
        }

        Console.WriteLine();
        foreach (string line in described)
        {
            Console.WriteLine($"- {line}");
        }
    }
}
