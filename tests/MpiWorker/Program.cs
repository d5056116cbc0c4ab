using System.Globalization;
using System.Numerics;
using BnNative.IO;
using BnNative.MpiWorker;
using BnNative.Native.Mpi;
using BnNative.Normalization;
using BnNative.Tensors;

// The process each rank of the MPI tests runs: `bnnative-mpi-worker <mode> key=value ...`.
// sync: one synchronized training step and its backward pass on this rank's shard; writes out/rank{r}.npz.
// fail-validation: rank `fail` calls Train with a state of the wrong channel count (a local error inside a collective step).
// crash: rank `fail` exits with code 3 before the exchange while the others wait in it.
var args2 = args.Skip(1).Select(a => a.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1]);
string mode = args.Length > 0 ? args[0] : "sync";
using var session = MpiSession.Start();
var scenario = SyncScenario.Parse(args2);
int failRank = args2.TryGetValue("fail", out var f) ? int.Parse(f, CultureInfo.InvariantCulture) : -1;
if (mode == "crash" && session.Rank == failRank)
{
    Console.Error.WriteLine($"worker: rank {session.Rank} exits without finalizing");
    Environment.Exit(3);
}

if (args2.TryGetValue("dtype", out var dtype) && dtype == "float64")
{
    Worker.Run<double>(session, scenario, args2["out"], mode == "fail-validation" && session.Rank == failRank);
}
else
{
    Worker.Run<float>(session, scenario, args2["out"], mode == "fail-validation" && session.Rank == failRank);
}

return 0;

internal static class Worker
{
    public static void Run<T>(MpiSession session, SyncScenario scenario, string outFolder, bool breakState)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rank = session.Rank;
        var x = scenario.Input<T>().View.Slice(0, scenario.Start(rank), scenario.Rows[rank]);
        var dy = scenario.OutputGradient<T>().View.Slice(0, scenario.Start(rank), scenario.Rows[rank]);
        var state = breakState ? BatchNormState<T>.Init(scenario.Channels + 1) : scenario.State<T>();
        var train = BatchNorm.Train(x, state, scenario.Config, session.Exchange);
        var gradients = BatchNorm.Backward(dy, train);
        NpzFile.Write(Path.Combine(outFolder, $"rank{rank}.npz"),
        [
            ("y", Array(train.Output)),
            ("dx", Array(gradients.InputGradient)),
            ("dgamma", Vector(gradients.GammaGradient!.ToArray())),
            ("dbeta", Vector(gradients.BetaGradient!.ToArray())),
            ("count", NpyArray.FromInt64Scalar(train.BatchMoments.Count)),
            ("mean", NpyArray.FromTensor(TensorView<double>.Create(train.BatchMoments.Mean.ToArray(), train.BatchMoments.Channels))),
            ("m2", NpyArray.FromTensor(TensorView<double>.Create(train.BatchMoments.M2.ToArray(), train.BatchMoments.Channels))),
        ]);
        BatchNormStateFile.Save(Path.Combine(outFolder, $"state{rank}.npz"), train.NextState);
    }

    private static NpyArray Array<T>(TensorView<T> view)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) ? NpyArray.FromTensor((TensorView<float>)(object)view.ToContiguous()) : NpyArray.FromTensor((TensorView<double>)(object)view.ToContiguous());

    private static NpyArray Vector<T>(T[] values)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float)
            ? NpyArray.FromTensor(TensorView<float>.Create((float[])(object)values, values.Length))
            : NpyArray.FromTensor(TensorView<double>.Create((double[])(object)values, values.Length));
}
