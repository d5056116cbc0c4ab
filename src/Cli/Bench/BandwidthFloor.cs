namespace BnNative.Cli.Bench;

/// <summary>
/// The bandwidth floor of each operation (PERF-NOTES): the least memory traffic that any kernel computing it must
/// do, done by <see cref="MemoryPasses"/> over buffers of the tensor's size with the same thread count.
/// train = read pass over x + copy x → y (3 tensor-sized passes); infer = copy x → y (2); backward = read pass over
/// x and dy + two-input copy (read x, dy; write dx) (5).
/// </summary>
internal static class BandwidthFloor
{
    /// <summary>One line for the table header saying what the floors are.</summary>
    public const string Description =
        "floor = least memory traffic, measured in the same run, interleaved with the kernel, same threads: "
        + "train = read x + copy x→y; infer = copy x→y; backward = read x, dy + copy (x, dy)→dx; "
        + "copies use non-temporal stores for outputs ≥ 32 MB";

    /// <summary>The header's line on the train and inference floors' copy in cache (<see cref="FloorCopy"/>).</summary>
    public static string CopyDescription(FloorCopy copy) => copy == FloorCopy.Vector
        ? "floor copy in cache (--floor-copy vector): a loop of vector loads and ordinary stores"
        : "floor copy in cache (--floor-copy best): Span.CopyTo, i.e. the C library's memmove (glibc: rep movsb up to about the L2 size)";

    /// <summary>Tensor-sized passes in the floor of <paramref name="op"/>: 3, 2 or 5.</summary>
    public static int Passes(BenchOp op) => op switch
    {
        BenchOp.Train => 3,
        BenchOp.Infer => 2,
        _ => 5,
    };

    /// <summary>Bytes the floor of <paramref name="op"/> moves for float32 tensors of <paramref name="elements"/> elements.</summary>
    public static long Bytes(BenchOp op, long elements) => Passes(op) * elements * sizeof(float);

    /// <summary>Runs the floor of <paramref name="op"/> once over <paramref name="tensors"/>' buffers, its copy the <paramref name="copy"/> kind.</summary>
    /// <returns>A sum of the data read, to keep the reads observable.</returns>
    public static float Run(BenchOp op, BenchTensors tensors, int threads, FloorCopy copy = FloorCopy.Best)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        switch (op)
        {
            case BenchOp.Train:
                float sum = MemoryPasses.Sum(tensors.XData, threads);
                MemoryPasses.Copy(tensors.XData, tensors.YData, threads, copy);
                return sum;
            case BenchOp.Infer:
                MemoryPasses.Copy(tensors.XData, tensors.YData, threads, copy);
                return 0;
            default:
                float both = MemoryPasses.Sum(tensors.XData, threads) + MemoryPasses.Sum(tensors.DyData, threads);
                MemoryPasses.Combine(tensors.XData, tensors.DyData, tensors.DxData, threads);
                return both;
        }
    }
}
