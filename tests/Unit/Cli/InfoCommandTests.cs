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

        Assert.Contains(lines, line => line.StartsWith("Auto picks", StringComparison.Ordinal));
    }
}
