using BnNative.Cli;

namespace BnNative.Tests.Cli;

/// <summary>
/// <c>bnnative</c> is info, run and bench; the demo is its own tool (<c>bnnative-demo</c>, tests/Unit/Demo), so that its
/// plotting libraries stay out of this one.
/// </summary>
public sealed class CliAppTests
{
    [Fact]
    public void HelpListsInfoRunAndBenchAndPointsToTheDemoTool()
    {
        var result = CliResult.Of("--help");

        result.AssertSucceeded();
        foreach (string command in new[] { "info", "run", "bench" })
        {
            Assert.Matches($@"(?m)^\s+{command}\s", result.Output);
        }

        Assert.DoesNotMatch(@"(?m)^\s+demo\s", result.Output);
        Assert.Contains("bnnative-demo", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void DemoIsNotABnnativeCommand()
    {
        var result = CliResult.Of("demo", "--epochs", "1");

        Assert.Equal(CliApp.BadInput, result.ExitCode);
        Assert.Equal(string.Empty, result.Output);
        Assert.True(result.Error.Split('\n') is [var line, ""] && line.StartsWith("bnnative: ", StringComparison.Ordinal), result.Error);
        Assert.Contains("'demo'", result.Error, StringComparison.Ordinal);
    }
}
