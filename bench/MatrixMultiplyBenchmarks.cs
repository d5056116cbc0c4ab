using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;

namespace BnNative.Benchmarks;

/// <summary>
/// A 1024×1024 MathNet matrix multiply, double and float, 1 and 2 threads: MathNet's managed provider against the
/// BnNative CBLAS provider over each library that loads (OpenBLAS, BLIS; MKL where present). The ratio of the managed
/// row to a CBLAS row of the same element type and threads is the speed-up. One multiply per invocation (the managed
/// double one takes about a second), few iterations.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5, invocationCount: 1)]
public class MatrixMultiplyBenchmarks
{
    private MatrixMultiplyCase _case = null!;

    /// <summary>The matrix order.</summary>
    [Params(1024)]
    public int Size { get; set; }

    /// <summary>Element type.</summary>
    [Params("double", "float")]
    public string Element { get; set; } = "double";

    /// <summary>Threads.</summary>
    [Params(1, 2)]
    public int Threads { get; set; }

    /// <summary><c>managed</c> or <c>cblas:library</c>.</summary>
    [ParamsSource(nameof(Providers))]
    public string Provider { get; set; } = "managed";

    /// <summary>The managed provider and every CBLAS library that loads.</summary>
    public static IEnumerable<string> Providers => MatrixMultiplyCase.Providers(includeReference: false);

    /// <summary>Builds the operands and sets the thread count.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _case = MatrixMultiplyCase.Create(Provider, Element, Size, Threads);
        _case.Prepare();
    }

    /// <summary>One multiply.</summary>
    [Benchmark]
    public void Multiply() => _case.Run();
}
