using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BnNative.Cli.Bench;
using BnNative.Moments;

namespace BnNative.Benchmarks;

/// <summary>
/// BatchNorm train, infer and backward (float32, <c>auto</c> moments, through the layer and the record API) over the cases of <c>bnnative bench</c>'s default
/// table, 1 and 2 threads, each next to its bandwidth floor: the floor is the baseline of its operation's category, so
/// the Ratio column is kernel / floor as in the bench command. Tensors, kernel calls and floors are the bench command's
/// own (<see cref="BenchTensors"/>, <see cref="BenchKernel"/>, <see cref="BandwidthFloor"/>). BenchmarkDotNet times cases
/// one after another; <c>bnnative bench</c> interleaves floor and kernel, which cancels the drifts of a shared machine.
/// </summary>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory, BenchmarkLogicalGroupRule.ByParams)]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 12)]
public class BatchNormBenchmarks
{
    private BenchTensors _tensors = null!;
    private Action _train = null!;
    private Action _infer = null!;
    private Action _backward = null!;

    /// <summary>A default case of <c>bnnative bench</c> by its label, e.g. <c>[64,64,56,56] nhwc</c>.</summary>
    [ParamsSource(nameof(Cases))]
    public string Case { get; set; } = string.Empty;

    /// <summary>Threads of the kernel and of its floor.</summary>
    [Params(1, 2)]
    public int Threads { get; set; }

    /// <summary>
    /// The API called: <c>layer</c> (<c>BatchNormLayer</c>, in place; MemoryDiagnoser shows 0 B) or <c>record</c>
    /// (<c>BatchNorm</c>'s functions, which return immutable results).
    /// </summary>
    [Params("layer", "record")]
    public string Api { get; set; } = "layer";

    /// <summary>The labels of <c>bnnative bench</c>'s default cases.</summary>
    public static IEnumerable<string> Cases => BenchCase.Defaults.Select(c => c.ToString());

    /// <summary>Builds the tensors and binds the three kernel calls (backward's training result is computed here).</summary>
    [GlobalSetup]
    public void Setup()
    {
        _tensors = BenchTensors.Create(BenchCase.Defaults.Single(c => c.ToString() == Case));
        var api = EnumOption.Parse<BenchApi>("Api", Api);
        _train = BenchKernel.Create(BenchOp.Train, _tensors, Threads, MomentsBackend.Auto, api);
        _infer = BenchKernel.Create(BenchOp.Infer, _tensors, Threads, MomentsBackend.Auto, api);
        _backward = BenchKernel.Create(BenchOp.Backward, _tensors, Threads, MomentsBackend.Auto, api);
    }

    /// <summary>Floor of train: read x, copy x → y.</summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory("train")]
    public float TrainFloor() => BandwidthFloor.Run(BenchOp.Train, _tensors, Threads);

    /// <summary><c>layer.Train(x, y)</c> or <c>BatchNorm.Train(x, state, config, y)</c>.</summary>
    [Benchmark]
    [BenchmarkCategory("train")]
    public void Train() => _train();

    /// <summary>Floor of infer: copy x → y.</summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory("infer")]
    public float InferFloor() => BandwidthFloor.Run(BenchOp.Infer, _tensors, Threads);

    /// <summary><c>layer.Infer(x, y)</c> or <c>BatchNorm.Infer(x, state, config, y)</c>.</summary>
    [Benchmark]
    [BenchmarkCategory("infer")]
    public void Infer() => _infer();

    /// <summary>Floor of backward: read x and dy, write dx = x + dy.</summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory("backward")]
    public float BackwardFloor() => BandwidthFloor.Run(BenchOp.Backward, _tensors, Threads);

    /// <summary><c>layer.Backward(dy, dx)</c> or <c>BatchNorm.Backward(dy, train, dx)</c>.</summary>
    [Benchmark]
    [BenchmarkCategory("backward")]
    public void Backward() => _backward();
}
