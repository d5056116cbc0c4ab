using BnNative.Tools;

namespace BnNative.Demo;

/// <summary>The <c>bnnative-demo</c> command line: its options, and the exit-code convention (0 success, 2 bad arguments or input).</summary>
public static class DemoApp
{
    /// <summary>Exit code for bad arguments or bad input; a one-line message goes to standard error.</summary>
    public const int BadInput = ToolCommandLine.BadInput;

    /// <summary>Parses <paramref name="args"/> and runs the demo.</summary>
    /// <returns>The process exit code.</returns>
    public static int Run(string[] args, TextWriter output, TextWriter error) =>
        ToolCommandLine.Run(DemoCommand.Create(output, error), "bnnative-demo", args, output, error);
}
