using BnNative.MathNet;
using MathNet.Numerics;
using MathNet.Numerics.Providers.LinearAlgebra;

namespace BnNative.Benchmarks;

/// <summary>
/// One n×n·n×n MathNet matrix multiply (<c>MatrixMultiply</c>, column-major arrays of uniform values in [−1, 1)) on one
/// provider, element type and thread count: MathNet's managed provider (threads through
/// <see cref="Control.MaxDegreeOfParallelism"/>) or the BnNative CBLAS provider over a library (threads through
/// <see cref="Native.Blas.CblasLibrary.TrySetThreads"/>). Shared by the BenchmarkDotNet class and the Stopwatch runner.
/// </summary>
public sealed class MatrixMultiplyCase
{
    private readonly ILinearAlgebraProvider _provider;
    private readonly Action _multiply;

    private MatrixMultiplyCase(string provider, string element, int size, int threads, ILinearAlgebraProvider instance, Action multiply)
    {
        Provider = provider;
        Element = element;
        Size = size;
        Threads = threads;
        _provider = instance;
        _multiply = multiply;
    }

    /// <summary><c>managed</c>, or <c>cblas:</c> and a library name for <see cref="BnNativeLinearAlgebra.Create"/>.</summary>
    public string Provider { get; }

    /// <summary><c>double</c> or <c>float</c>.</summary>
    public string Element { get; }

    /// <summary>The matrix order n.</summary>
    public int Size { get; }

    /// <summary>Threads the provider may use.</summary>
    public int Threads { get; }

    /// <summary>Floating-point operations of one multiply: 2n³.</summary>
    public double Flops => 2.0 * Size * Size * Size;

    /// <summary>What computes, for the report.</summary>
    public string Describe() => _provider.ToString() ?? Provider;

    /// <summary>The managed provider, then the CBLAS provider over each library that loads here (reference BLAS only when asked).</summary>
    public static IEnumerable<string> Providers(bool includeReference)
    {
        yield return "managed";
        foreach (string library in includeReference ? new[] { "openblas", "blis", "mkl", "reference" } : ["openblas", "blis", "mkl"])
        {
            if (BnNativeLinearAlgebra.TryCreate(library, MatrixMultiplyBackend.Cblas, out _, out _))
            {
                yield return "cblas:" + library;
            }
        }
    }

    /// <summary>Builds the operands and the provider.</summary>
    /// <exception cref="ArgumentException">An unknown element type.</exception>
    public static MatrixMultiplyCase Create(string provider, string element, int size, int threads)
    {
        ILinearAlgebraProvider instance = provider == "managed"
            ? ManagedLinearAlgebraProvider.Instance
            : BnNativeLinearAlgebra.Create(provider["cblas:".Length..]);
        var random = new Random(42);
        Action multiply = element switch
        {
            "double" => Operands<double>(instance, size, () => (random.NextDouble() * 2) - 1),
            "float" => Operands<float>(instance, size, () => (float)((random.NextDouble() * 2) - 1)),
            _ => throw new ArgumentException($"element must be double or float, not {element}.", nameof(element)),
        };
        return new MatrixMultiplyCase(provider, element, size, threads, instance, multiply);
    }

    /// <summary>Sets the thread count; call before timing (both settings are process-wide).</summary>
    public void Prepare()
    {
        Control.MaxDegreeOfParallelism = Threads;
        if (_provider is CblasLinearAlgebraProvider cblas)
        {
            cblas.Library.TrySetThreads(Threads);
        }
    }

    /// <summary>One multiply.</summary>
    public void Run() => _multiply();

    private static Action Operands<T>(ILinearAlgebraProvider provider, int size, Func<T> next)
        where T : struct, IEquatable<T>, IFormattable
    {
        var typed = (ILinearAlgebraProvider<T>)provider;
        T[] a = [.. Enumerable.Range(0, size * size).Select(_ => next())];
        T[] b = [.. Enumerable.Range(0, size * size).Select(_ => next())];
        T[] c = new T[size * size];
        return () => typed.MatrixMultiply(a, size, size, b, size, size, c);
    }
}
