using System.CommandLine;
using BnNative.Native.Mpi;
using BnNative.Sync;

namespace BnNative.Tools;

/// <summary>
/// The command-line conventions BnNative's tools (<c>bnnative</c>, <c>bnnative-demo</c>) share: exit 0 on success and
/// <see cref="BadInput"/> for bad arguments or bad input, with exactly one line on standard error that starts with the
/// tool's name. Linked as source into each tool, so neither drags the other's dependencies along.
/// </summary>
internal static class ToolCommandLine
{
    /// <summary>Exit code for bad arguments or bad input; a one-line message goes to standard error.</summary>
    public const int BadInput = 2;

    /// <summary>
    /// Parses <paramref name="args"/> against <paramref name="root"/> and invokes the chosen action. Parse errors are
    /// reported all on one line after <paramref name="tool"/> (the first alone can be unhelpful: "Required command was
    /// not provided") and give <see cref="BadInput"/> without running anything.
    /// </summary>
    /// <returns>The process exit code.</returns>
    public static int Run(RootCommand root, string tool, string[] args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            error.WriteLine($"{tool}: " + string.Join(" ", parsed.Errors.Select(e => e.Message.Trim())));
            return BadInput;
        }

        return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error });
    }

    /// <summary>
    /// Whether <paramref name="e"/> reports bad arguments, an unreadable or invalid file, or a missing or failing native
    /// library (BLAS, MPI): what a tool reports as one line and exit <see cref="BadInput"/> instead of a stack trace.
    /// </summary>
    public static bool IsBadInput(Exception e) =>
        e is ArgumentException or InvalidDataException or IOException or UnauthorizedAccessException or NotSupportedException
            or OverflowException or FormatException or StatisticsExchangeException or DllNotFoundException or MpiException;

    /// <summary>The first line of <paramref name="text"/>, trimmed: tool messages are one line.</summary>
    public static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();
}
