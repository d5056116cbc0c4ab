namespace BnNative.Cli.Bench;

/// <summary>
/// The progress line of <c>bnnative bench</c> on standard error, e.g. <c>[12/54] [64,64,56,56] nhwc train 2T auto</c>:
/// rewritten in place (carriage return) on a terminal, one line per row when standard error is redirected, and
/// nothing when the caller captures the error stream in-process (tests), so standard output stays the table alone.
/// </summary>
internal sealed class BenchProgress
{
    private readonly TextWriter? _writer;
    private readonly bool _inPlace;
    private int _width;

    private BenchProgress(TextWriter? writer, bool inPlace)
    {
        _writer = writer;
        _inPlace = inPlace;
    }

    /// <summary>Progress for a command whose standard error is <paramref name="error"/>.</summary>
    public static BenchProgress For(TextWriter error) =>
        ReferenceEquals(error, Console.Error) ? new BenchProgress(error, inPlace: !Console.IsErrorRedirected) : new BenchProgress(null, inPlace: false);

    /// <summary>Shows that row <paramref name="index"/> of <paramref name="total"/> (1-based), <paramref name="label"/>, is being measured.</summary>
    public void Report(int index, int total, string label)
    {
        if (_writer is null)
        {
            return;
        }

        string line = $"[{index}/{total}] {label}";
        if (_inPlace)
        {
            _writer.Write("\r" + line.PadRight(_width));
            _width = line.Length;
        }
        else
        {
            _writer.WriteLine(line);
        }

        _writer.Flush();
    }

    /// <summary>Clears the in-place line.</summary>
    public void Done()
    {
        if (_writer is not null && _inPlace && _width > 0)
        {
            _writer.Write("\r" + new string(' ', _width) + "\r");
            _writer.Flush();
        }
    }
}
