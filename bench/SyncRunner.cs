using System.Diagnostics;
using System.Globalization;
using BnNative.Native.Mpi;
using BnNative.Normalization;
using BnNative.Sync;
using BnNative.Tensors;

namespace BnNative.Benchmarks;

/// <summary>
/// <c>sync</c> mode: the cost of synchronized statistics in one process. For each shape, plain BN on the whole batch
/// with 1 and 2 moment threads against SyncBN over a <see cref="ReplicaGroup"/> of 1 and 2 replicas, each replica on
/// its own thread with half the batch and 1 moment thread (forward + backward, float32, medians over rounds).
/// <c>mpi-latency</c> mode (run under <c>mpirun -np 2</c>): the per-step cost of the exchange for C = 64, 512, 2048:
/// one synchronized forward and backward (handshake, moments all-gather, gradient-sums all-gather) on a tiny shard
/// against the same step unsynchronized, and the bare MPI_Allgather of the moments packet.
/// </summary>
public static class SyncRunner
{
    private static readonly (string Label, int[] Lengths)[] Shapes =
    [
        ("[32,28,28,64] NHWC", [32, 28, 28, 64]),
        ("[64,56,56,64] NHWC", [64, 56, 56, 64]),
        ("[1024,512]", [1024, 512]),
    ];

    /// <summary>In-process sync overhead against plain BN.</summary>
    public static void RunInProcess(string[] args)
    {
        int rounds = args.Length >= 2 && args[0] == "--rounds" ? int.Parse(args[1], CultureInfo.InvariantCulture) : 15;
        Console.WriteLine($"Train forward + backward, float32, channels last, internal EMA; {rounds} rounds; medians.");
        Console.WriteLine();
        Console.WriteLine("| Shape | Plain, 1 thread ms | Plain, 2 threads ms | Sync 1 replica ms | Sync 2 replicas ms | Sync 2 / plain 2 threads |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (var (label, lengths) in Shapes)
        {
            long elements = lengths.Aggregate(1L, (a, b) => a * b);
            var random = new Random(3);
            var data = new float[elements];
            var gradient = new float[elements];
            for (long i = 0; i < elements; i++)
            {
                data[i] = (float)random.NextDouble();
                gradient[i] = (float)random.NextDouble() - 0.5f;
            }

            var x = TensorView<float>.Create(data, lengths);
            var dy = TensorView<float>.Create(gradient, lengths);
            var y = Tensor<float>.Zeros(lengths).View;
            var dx = Tensor<float>.Zeros(lengths).View;
            var config = new BatchNormConfig { EmaUpdate = EmaUpdate.Internal };
            var state = BatchNormState<float>.Init(lengths[^1]);
            double plain1 = Median(rounds, () => Step(x, dy, y, dx, state, config with { Threads = 1 }, null));
            double plain2 = Median(rounds, () => Step(x, dy, y, dx, state, config with { Threads = 2 }, null));
            double sync1 = Median(rounds, () => Step(x, dy, y, dx, state, config with { Threads = 1 }, SingleWorkerExchange.Instance));
            double sync2 = Replicated(rounds, 2, x, dy, y, dx, state, config with { Threads = 1 });
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {label} | {plain1:F2} | {plain2:F2} | {sync1:F2} | {sync2:F2} | {sync2 / plain2:F2} |"));
        }
    }

    /// <summary>MPI exchange latency; every rank runs it, rank 0 prints.</summary>
    public static void RunMpi(string[] args)
    {
        int iterations = args.Length >= 2 && args[0] == "--iterations" ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2000;
        using var session = MpiSession.Start();
        var exchange = session.Exchange;
        if (session.Rank == 0)
        {
            Console.WriteLine($"{MpiSession.LibraryVersion()}; {session.Size} ranks; {iterations} iterations; medians of 5 batches, µs per step.");
            Console.WriteLine();
            Console.WriteLine("| C | Allgather of (n, mean, M2) µs | Sync train + backward µs | Local train + backward µs | Exchange cost µs |");
            Console.WriteLine("|---:|---:|---:|---:|---:|");
        }

        foreach (int channels in new[] { 64, 512, 2048 })
        {
            var packet = new double[1 + (2 * channels)];
            var gathered = new double[packet.Length * session.Size];
            var x = Tensor<float>.FromArray(Enumerable.Range(0, 2 * channels).Select(i => (float)(i % 7)).ToArray(), 2, channels).View;
            var dy = Tensor<float>.FromArray(Enumerable.Range(0, 2 * channels).Select(i => (float)(i % 5)).ToArray(), 2, channels).View;
            var y = Tensor<float>.Zeros(2, channels).View;
            var dx = Tensor<float>.Zeros(2, channels).View;
            var state = BatchNormState<float>.Init(channels);
            var config = new BatchNormConfig { EmaUpdate = EmaUpdate.Internal, Threads = 1 };
            double gather = PerIteration(iterations, () => exchange.AllGather(packet, gathered));
            double synced = PerIteration(iterations, () => Step(x, dy, y, dx, state, config, exchange));
            double local = PerIteration(iterations, () => Step(x, dy, y, dx, state, config, null));
            if (session.Rank == 0)
            {
                Console.WriteLine(string.Create(
                    CultureInfo.InvariantCulture, $"| {channels} | {gather:F1} | {synced:F1} | {local:F1} | {synced - local:F1} |"));
            }
        }
    }

    private static void Step(
        TensorView<float> x, TensorView<float> dy, TensorView<float> y, TensorView<float> dx, BatchNormState<float> state, BatchNormConfig config,
        IStatisticsExchange? sync)
    {
        var train = sync is null ? BatchNorm.Train(x, state, config, y) : BatchNorm.Train(x, state, config, y, sync);
        BatchNorm.Backward(dy, train, dx);
    }

    /// <summary>Each of <paramref name="replicas"/> threads steps on its slice; the time of a round is the slowest replica's.</summary>
    private static double Replicated(
        int rounds, int replicas, TensorView<float> x, TensorView<float> dy, TensorView<float> y, TensorView<float> dx, BatchNormState<float> state,
        BatchNormConfig config)
    {
        int batch = x.Lengths[0];
        var times = ReplicaGroup.Run(replicas, exchange =>
        {
            int start = batch * exchange.Rank / replicas;
            int length = (batch * (exchange.Rank + 1) / replicas) - start;
            var xs = x.Slice(0, start, length);
            var dys = dy.Slice(0, start, length);
            var ys = y.Slice(0, start, length);
            var dxs = dx.Slice(0, start, length);
            var samples = new double[rounds];
            Step(xs, dys, ys, dxs, state, config, exchange);
            for (int r = 0; r < rounds; r++)
            {
                var clock = Stopwatch.StartNew();
                Step(xs, dys, ys, dxs, state, config, exchange);
                samples[r] = clock.Elapsed.TotalMilliseconds;
            }

            return samples;
        });
        var slowest = Enumerable.Range(0, rounds).Select(r => times.Max(t => t[r])).Order().ToArray();
        return slowest[rounds / 2];
    }

    private static double Median(int rounds, Action action)
    {
        action();
        var samples = new double[rounds];
        for (int r = 0; r < rounds; r++)
        {
            var clock = Stopwatch.StartNew();
            action();
            samples[r] = clock.Elapsed.TotalMilliseconds;
        }

        Array.Sort(samples);
        return samples[rounds / 2];
    }

    private static double PerIteration(int iterations, Action action)
    {
        for (int i = 0; i < iterations / 10; i++)
        {
            action();
        }

        var batches = new double[5];
        for (int b = 0; b < batches.Length; b++)
        {
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < iterations / batches.Length; i++)
            {
                action();
            }

            batches[b] = clock.Elapsed.TotalMicroseconds / (iterations / batches.Length);
        }

        Array.Sort(batches);
        return batches[batches.Length / 2];
    }
}
