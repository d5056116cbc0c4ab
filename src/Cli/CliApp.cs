using System.CommandLine;

namespace BnNative.Cli;

/// <summary>The <c>bnnative</c> command line: its commands, and the exit-code convention (0 success, 2 bad arguments or input).</summary>
public static class CliApp
{
    /// <summary>Exit code for bad arguments or bad input; a one-line message goes to standard error.</summary>
    public const int BadInput = 2;

    /// <summary>Parses <paramref name="args"/> and runs the command.</summary>
    /// <returns>The process exit code.</returns>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        var root = new RootCommand("bnnative: batch normalization over native BLAS (tensorpack's BatchNorm for .NET).");
        root.Subcommands.Add(InfoCommand.Create(output));
        root.Subcommands.Add(RunCommand.Create(output, error));
        root.Subcommands.Add(DemoCommand.Create(output, error));
        root.Subcommands.Add(BenchCommand.Create(output, error));
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // Every parse error on one line: the first alone can be unhelpful ("Required command was not provided").
            error.WriteLine("bnnative: " + string.Join(" ", parsed.Errors.Select(e => e.Message.Trim())));
            return BadInput;
        }

        return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error });
    }
}
