using System.Globalization;
using System.Numerics;

namespace BnNative.Cli.Bench;

/// <summary>The bench table on standard output: a header saying what the floor and the machine are, then one Markdown row per measurement.</summary>
internal static class BenchTable
{
    private static readonly string[] Columns =
        ["shape", "layout", "threads", "op", "backend", "api", "median ms", "GB/s", "floor ms", "ratio", "alloc B/call"];

    // Text columns left-aligned, numbers right-aligned.
    private const int FirstNumericColumn = 6;

    /// <summary>The header lines: element type, rounds, the floor and its copy, the machine.</summary>
    public static void WriteHeader(TextWriter output, int rounds, FloorCopy floorCopy = FloorCopy.Best)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"bnnative bench: float32, median of {rounds} rounds of (floor, kernel); ratio = kernel / floor (1.00 = at the floor, lower is better); GB/s = floor traffic / kernel median."));
        output.WriteLine(BandwidthFloor.Description + ".");
        output.WriteLine(BandwidthFloor.CopyDescription(floorCopy) + ".");
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"machine: {Environment.ProcessorCount} logical cores, Vector<T> {Vector<byte>.Count * 8} bits."));
        output.WriteLine();
    }

    /// <summary>The rows as an aligned Markdown table.</summary>
    public static void WriteRows(TextWriter output, IReadOnlyList<BenchRow> rows)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(rows);
        var cells = rows.Select(Cells).ToList();
        int[] widths = [.. Columns.Select((name, column) => cells.Select(row => row[column].Length).Append(name.Length).Max())];
        output.WriteLine(Line(Columns, widths));
        output.WriteLine("|" + string.Join("|", widths.Select((width, column) =>
            column >= FirstNumericColumn ? new string('-', width + 1) + ":" : new string('-', width + 2))) + "|");
        foreach (var row in cells)
        {
            output.WriteLine(Line(row, widths));
        }
    }

    private static string Line(IReadOnlyList<string> cells, int[] widths) =>
        "| " + string.Join(" | ", cells.Select((cell, column) =>
            column >= FirstNumericColumn ? cell.PadLeft(widths[column]) : cell.PadRight(widths[column]))) + " |";

    private static string[] Cells(BenchRow row) =>
    [
        row.Shape,
        row.Layout,
        row.Threads.ToString(CultureInfo.InvariantCulture),
        row.Op,
        row.Backend,
        row.Api,
        Milliseconds(row.MedianMs),
        row.GBPerSecond.ToString("F1", CultureInfo.InvariantCulture),
        Milliseconds(row.FloorMs),
        row.Ratio.ToString("F2", CultureInfo.InvariantCulture),
        row.AllocBytes.ToString(CultureInfo.InvariantCulture),
    ];

    /// <summary>Three significant digits, at least two decimals: 12.35, 1.235, 0.00412.</summary>
    private static string Milliseconds(double value)
    {
        int decimals = value > 0 ? Math.Clamp(2 - (int)Math.Floor(Math.Log10(value)), 2, 6) : 2;
        return value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }
}
