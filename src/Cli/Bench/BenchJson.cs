using System.Text.Json;
using BnNative.IO;

namespace BnNative.Cli.Bench;

/// <summary>The <c>--json</c> file: a JSON array of <see cref="BenchRow"/>, written atomically (complete or not at all).</summary>
internal static class BenchJson
{
    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true };

    /// <summary>Creates or replaces <paramref name="path"/> with <paramref name="rows"/>.</summary>
    /// <exception cref="IOException">The file cannot be written; an existing one is left as it was.</exception>
    public static void Write(string path, IReadOnlyList<BenchRow> rows) =>
        AtomicFile.Write(path, stream => JsonSerializer.Serialize(stream, rows, Options));
}
