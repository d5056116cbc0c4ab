using BnNative.Tests.Blas;

namespace BnNative.Tests.Cli;

/// <summary>
/// <c>bnnative info</c> reports every BLAS vendor it looks for, loaded or not. In the native BLAS collection: other
/// tests there change thread counts, which info reports.
/// </summary>
[Collection(NativeBlasCollection.Name)]
public sealed class InfoCommandTests
{
    [Fact]
    public void InfoSucceedsAndListsEveryBlasVendor()
    {
        var result = CliResult.Of("info");

        result.AssertSucceeded();
        string[] lines = result.Output.Split('\n');
        foreach (string vendor in new[] { "openblas", "blis", "reference" })
        {
            Assert.Contains(lines, line => line.TrimStart().StartsWith(vendor + " ", StringComparison.Ordinal));
        }

        Assert.Contains(lines, line => line.StartsWith("Kernels  moments backend auto = simd", StringComparison.Ordinal));
    }

    /// <summary>The library in use by default is named with its kernel set, the reason two machines' numbers may differ.</summary>
    [Fact]
    public void InfoNamesTheDefaultLibraryAndItsKernel()
    {
        var result = CliResult.Of("info");

        result.AssertSucceeded();
        if (Native.Blas.CblasLibrary.TryLoad(null, out var library, out _))
        {
            string line = Assert.Single(result.Output.Split('\n'), l => l.StartsWith("  in use: ", StringComparison.Ordinal));
            Assert.Contains(library.CoreName is null ? "kernel not reported" : $"kernel {library.CoreName}", line, StringComparison.Ordinal);
            Assert.EndsWith(library.Path, line.TrimEnd(), StringComparison.Ordinal);
            Assert.Equal("  in use: " + library.Describe(), line.TrimEnd());
        }
        else
        {
            Assert.DoesNotContain("in use:", result.Output, StringComparison.Ordinal);
        }
    }

    /// <summary>Every loaded library's thread count comes with where it came from (BnNative's policy, a variable, a caller).</summary>
    [Fact]
    public void InfoSaysWhereEachThreadCountCameFrom()
    {
        var result = CliResult.Of("info");

        result.AssertSucceeded();
        Assert.Contains($"{Native.Blas.BlasThreadPolicy.EnvironmentVariable}=", result.Output, StringComparison.Ordinal);
        foreach (var probe in Native.Blas.CblasLibrary.ProbeAll())
        {
            if (probe.Library is { Threads: { } threads } library)
            {
                string expected = $"threads: {threads} ({library.ThreadsSource})";
                Assert.Contains(result.Output.Split('\n'), l => l.Contains(expected, StringComparison.Ordinal) && l.Contains("core: ", StringComparison.Ordinal));
            }
        }
    }
}
