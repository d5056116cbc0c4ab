namespace BnNative.Tests.Cli;

/// <summary><c>bnnative info</c> reports every BLAS vendor it looks for, loaded or not.</summary>
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
            // Not the whole Describe() line: its thread count can change under tests of other classes running meanwhile.
            string line = Assert.Single(result.Output.Split('\n'), l => l.StartsWith("  in use: ", StringComparison.Ordinal));
            Assert.Contains(library.CoreName is null ? "kernel not reported" : $"kernel {library.CoreName}", line, StringComparison.Ordinal);
            Assert.EndsWith(library.Path, line.TrimEnd(), StringComparison.Ordinal);
        }
        else
        {
            Assert.DoesNotContain("in use:", result.Output, StringComparison.Ordinal);
        }
    }
}
