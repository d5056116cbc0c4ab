using BnNative.Moments;

namespace BnNative.Cli.Bench;

/// <summary>Measures every row of <see cref="BenchOptions"/>: for each case, its tensors once, then every thread count, operation, backend and API.</summary>
internal static class BenchRunner
{
    /// <summary>Runs the whole table, reporting each row before it is measured.</summary>
    public static IReadOnlyList<BenchRow> Run(BenchOptions options, BenchProgress progress)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(progress);
        var rows = new List<BenchRow>(options.RowCount);
        WarmUp(options);
        foreach (var benchCase in options.Cases)
        {
            var tensors = BenchTensors.Create(benchCase);
            foreach (int threads in options.Threads)
            {
                foreach (var op in options.Ops)
                {
                    foreach (var backend in options.Backends)
                    {
                        foreach (var api in options.Apis)
                        {
                            progress.Report(
                                rows.Count + 1, options.RowCount, $"{benchCase} {EnumOption.Name(op)} {threads}T {backend.Name} {EnumOption.Name(api)}");
                            rows.Add(Measure(tensors, threads, op, backend, api, options.Rounds, options.FloorCopy));
                        }
                    }
                }
            }
        }

        progress.Done();
        return rows;
    }

    /// <summary>
    /// Runs every operation, thread count and backend on small tensors of every layout in the table for about a second
    /// before the first row: the runtime compiles the code that is not marked for full optimization (records, vectors,
    /// the floors) in tiers on a background thread, and without this the first rows measured half-compiled code.
    /// </summary>
    private static void WarmUp(BenchOptions options)
    {
        var small = options.Cases
            .Select(c => new BenchCase(c.Lengths.Count == 2 ? [256, 64] : [4, 16, 12, 12], c.Layout))
            .DistinctBy(c => c.Layout)
            .Select(BenchTensors.Create)
            .ToList();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < WarmUpTime)
        {
            foreach (var tensors in small)
            {
                foreach (int threads in options.Threads)
                {
                    foreach (var op in options.Ops)
                    {
                        foreach (var backend in options.Backends)
                        {
                            foreach (var api in options.Apis.Where(api => api != BenchApi.Bound || BoundKernels.Supports(op, tensors.Case, threads)))
                            {
                                BenchKernel.Create(op, tensors, threads, backend, api)();
                            }

                            BandwidthFloor.Run(op, tensors, threads, options.FloorCopy);
                        }
                    }
                }
            }
        }
    }

    private static readonly TimeSpan WarmUpTime = TimeSpan.FromSeconds(1);

    /// <summary>
    /// One row: <paramref name="op"/> through <paramref name="api"/> interleaved with its floor (its copy the
    /// <paramref name="floorCopy"/> kind), <paramref name="rounds"/> timed rounds.
    /// </summary>
    public static BenchRow Measure(
        BenchTensors tensors, int threads, BenchOp op, MomentsBackend backend, BenchApi api, int rounds, FloorCopy floorCopy = FloorCopy.Best)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentNullException.ThrowIfNull(backend);
        var kernel = BenchKernel.Create(op, tensors, threads, backend, api);
        var times = PairedTiming.Measure(() => BandwidthFloor.Run(op, tensors, threads, floorCopy), kernel, rounds);
        return new BenchRow
        {
            Shape = tensors.Case.ShapeText,
            Layout = EnumOption.Name(tensors.Case.Layout),
            Threads = threads,
            Op = EnumOption.Name(op),
            Backend = backend.Name,
            Api = EnumOption.Name(api),
            MedianMs = times.KernelMs,
            FloorMs = times.FloorMs,
            AllocBytes = times.AllocatedBytesPerCall,
            GBPerSecond = BandwidthFloor.Bytes(op, tensors.Case.Elements) / (times.KernelMs * 1e6),
            FloorCopy = EnumOption.Name(floorCopy),
        };
    }
}
