using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Runtime.Intrinsics.X86;
using BnNative.Normalization;
using BnNative.Tensors;

namespace BnNative.Benchmarks;

/// <summary>
/// <c>paired-bn</c> mode: BatchNorm forward (train), forward (infer) and backward, float32, each alternated with its
/// bandwidth floor measured in the same run (PERF-NOTES): train = read pass + copy pass (3 tensor-sized passes),
/// infer = copy pass (2), backward = read pass over x and dy + a two-input copy (read x, dy; write dx) (5).
/// The copy passes use streaming stores for outputs of 32 MB or more, as the kernels do.
/// </summary>
public static class BatchNormPairedRunner
{
    /// <summary>Runs the measurement and prints a markdown table.</summary>
    /// <param name="args">Optional <c>--rounds N</c> (default 15).</param>
    public static void Run(string[] args)
    {
        int rounds = args.Length >= 2 && args[0] == "--rounds" ? int.Parse(args[1], CultureInfo.InvariantCulture) : 15;
        Console.WriteLine($"BatchNorm, float32, auto backend: {rounds} rounds of (floor, kernel) per row; medians; ratio = floor / kernel time.");
        Console.WriteLine();
        Console.WriteLine("| Shape | Threads | Pass | Kernel ms | Floor ms | % of floor |");
        Console.WriteLine("|---|---:|---|---:|---:|---:|");
        foreach (var shape in MomentsShape.All)
        {
            var data = new float[shape.Elements];
            var dyData = new float[shape.Elements];
            var output = new float[shape.Elements];
            var random = new Random(42);
            for (int i = 0; i < data.Length; i++)
            {
                data[i] = (float)random.NextDouble();
                dyData[i] = (float)random.NextDouble() - 0.5f;
            }

            var x = TensorView<float>.Create(data, shape.Lengths);
            var dy = TensorView<float>.Create(dyData, shape.Lengths);
            var y = TensorView<float>.Create(output, shape.Lengths);
            var config = new BatchNormConfig { Axis = shape.ChannelAxis, EmaUpdate = EmaUpdate.Internal };
            var state = BatchNormState<float>.Init(shape.Lengths[shape.ChannelAxis]);
            foreach (int threads in new[] { 1, 2 })
            {
                var threaded = config with { Threads = threads };
                var train = BatchNorm.Train(x, state, threaded, y);
                Measure(shape, threads, "train forward", rounds,
                    () => { ReadFloor.Sum(data, threads); Copy(data, output); },
                    () => BatchNorm.Train(x, state, threaded, y));
                Measure(shape, threads, "infer forward", rounds,
                    () => Copy(data, output),
                    () => BatchNorm.Infer(x, state, threaded, y));
                Measure(shape, threads, "backward", rounds,
                    () => { ReadFloor.Sum(data, threads); ReadFloor.Sum(dyData, threads); AddCopy(data, dyData, output); },
                    () => BatchNorm.Backward(dy, train, y));
            }
        }

        Console.WriteLine();
        Console.WriteLine("The normalization and backward passes are single-threaded; only the moments use the thread count.");
    }

    private static void Measure(MomentsShape shape, int threads, string pass, int rounds, Action floor, Action kernel)
    {
        floor();
        kernel();
        var floorTimes = new double[rounds];
        var kernelTimes = new double[rounds];
        for (int round = 0; round < rounds; round++)
        {
            var watch = Stopwatch.StartNew();
            floor();
            floorTimes[round] = watch.Elapsed.TotalMilliseconds;
            watch.Restart();
            kernel();
            kernelTimes[round] = watch.Elapsed.TotalMilliseconds;
        }

        Array.Sort(floorTimes);
        Array.Sort(kernelTimes);
        double f = floorTimes[rounds / 2];
        double k = kernelTimes[rounds / 2];
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture, $"| {shape.Label} | {threads} | {pass} | {k:F2} | {f:F2} | {100 * f / k:F0}% |"));
    }

    /// <summary>The best copy pass: streaming stores for outputs of 32 MB or more (as the kernels use), memmove below.</summary>
    private static void Copy(float[] source, float[] destination)
    {
        if ((long)source.Length * sizeof(float) < StreamingBytes || !Avx.IsSupported)
        {
            source.AsSpan().CopyTo(destination);
            return;
        }

        StreamingCombine(source, null, destination);
    }

    /// <summary>The two-input copy pass: destination = a + b (reads two tensors, writes one).</summary>
    private static void AddCopy(float[] a, float[] b, float[] destination)
    {
        if ((long)a.Length * sizeof(float) >= StreamingBytes && Avx.IsSupported)
        {
            StreamingCombine(a, b, destination);
            return;
        }

        int i = 0;
        for (; i + Vector<float>.Count <= a.Length; i += Vector<float>.Count)
        {
            (new Vector<float>(a, i) + new Vector<float>(b, i)).CopyTo(destination, i);
        }

        for (; i < a.Length; i++)
        {
            destination[i] = a[i] + b[i];
        }
    }

    private const long StreamingBytes = 32L << 20;

    private static unsafe void StreamingCombine(float[] a, float[]? b, float[] destination)
    {
        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pd = destination)
        {
            int i = 0;
            while (i < a.Length && ((nuint)(pd + i) & 31) != 0)
            {
                pd[i] = pb is null ? pa[i] : pa[i] + pb[i];
                i++;
            }

            for (; i + 8 <= a.Length; i += 8)
            {
                var v = Avx.LoadVector256(pa + i);
                Avx.StoreAlignedNonTemporal(pd + i, pb is null ? v : Avx.Add(v, Avx.LoadVector256(pb + i)));
            }

            for (; i < a.Length; i++)
            {
                pd[i] = pb is null ? pa[i] : pa[i] + pb[i];
            }

            Sse.StoreFence();
        }
    }
}
