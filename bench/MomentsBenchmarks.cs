using BenchmarkDotNet.Attributes;
using BnNative.Cli.Bench;
using BnNative.Moments;
using BnNative.Tensors;

namespace BnNative.Benchmarks;

/// <summary>
/// Batch moments of float32 tensors for every backend, 1 and 2 threads, next to the read-bandwidth floor
/// (<c>floor</c> rows). The GB/s and "% of floor" columns pair each row with the floor row of the same shape and
/// thread count from the same run.
/// </summary>
[Config(typeof(MomentsBenchmarkConfig))]
public class MomentsBenchmarks
{
    private float[] _data = [];
    private TensorView<float> _view = null!;
    private MomentsBackend? _backend;

    /// <summary>The tensor.</summary>
    [ParamsSource(nameof(Shapes))]
    public MomentsShape Shape { get; set; } = MomentsShape.All[0];

    /// <summary>Worker threads.</summary>
    [Params(1, 2)]
    public int Threads { get; set; }

    /// <summary><c>floor</c> or a backend name for <see cref="MomentsBackend.Parse"/>.</summary>
    [ParamsSource(nameof(Backends))]
    public string Backend { get; set; } = "floor";

    /// <summary>All benchmark shapes.</summary>
    public static IEnumerable<MomentsShape> Shapes => MomentsShape.All;

    /// <summary>The floor, then every backend that loads on this machine.</summary>
    public static IEnumerable<string> Backends
    {
        get
        {
            yield return "floor";
            yield return "auto";
            yield return "simd";
            yield return "reference";
            foreach (string library in new[] { "openblas", "blis", "reference", "mkl" })
            {
                if (MomentsBackend.TryCblas(library, out _, out _))
                {
                    yield return "cblas:" + library;
                }
            }
        }
    }

    /// <summary>Fills the tensor with values around 1e4 so the shifted accumulation is exercised.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _data = new float[Shape.Elements];
        var random = new Random(42);
        for (int i = 0; i < _data.Length; i++)
        {
            _data[i] = 1e4f + (float)random.NextDouble();
        }

        _view = TensorView<float>.Create(_data, Shape.Lengths);
        _backend = Backend == "floor" ? null : MomentsBackend.Parse(Backend);
    }

    /// <summary>One moments call (or one floor pass).</summary>
    [Benchmark]
    public double Moments() =>
        _backend is null
            ? MemoryPasses.Sum(_data, Threads)
            : _backend.Compute(_view, Shape.ChannelAxis, Threads).Mean[0];
}
