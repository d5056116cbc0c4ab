using System.CommandLine;
using BnNative.Tools;

namespace BnNative.Cli;

/// <summary>The <c>bnnative</c> command line: its commands, and the exit-code convention (0 success, 2 bad arguments or input).</summary>
public static class CliApp
{
    /// <summary>Exit code for bad arguments or bad input; a one-line message goes to standard error.</summary>
    public const int BadInput = ToolCommandLine.BadInput;

    /// <summary>Parses <paramref name="args"/> and runs the command.</summary>
    /// <returns>The process exit code.</returns>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var root = new RootCommand("bnnative: batch normalization over native BLAS (tensorpack's BatchNorm for .NET). The demo is the separate tool bnnative-demo.");
        root.Subcommands.Add(InfoCommand.Create(output));
        root.Subcommands.Add(RunCommand.Create(output, error));
        root.Subcommands.Add(BenchCommand.Create(output, error));
        return ToolCommandLine.Run(root, "bnnative", args, output, error);
    }
}
