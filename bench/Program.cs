using BenchmarkDotNet.Running;
using BnNative.Benchmarks;

if (args.Length > 0 && args[0] == "paired")
{
    PairedRunner.Run(args[1..]);
    return;
}

if (args.Length > 0 && args[0] == "builds")
{
    BuildsRunner.Run(args[1..]);
    return;
}

if (args.Length > 0 && args[0] == "matmul")
{
    MatrixMultiplyRunner.Run(args[1..]);
    return;
}

if (args.Length > 0 && args[0] == "sync")
{
    SyncRunner.RunInProcess(args[1..]);
    return;
}

if (args.Length > 0 && args[0] == "mpi-latency")
{
    SyncRunner.RunMpi(args[1..]);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(MomentsBenchmarks).Assembly).Run(args);
