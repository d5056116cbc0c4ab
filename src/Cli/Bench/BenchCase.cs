using System.Globalization;

namespace BnNative.Cli.Bench;

/// <summary>
/// One tensor of the benchmark table: logical lengths (N, C, H, W or N, C) and the layout they lie in. Validated on
/// construction: rank 4 takes <c>nchw</c>, <c>nhwc</c> or <c>permuted</c>, rank 2 only <c>rows</c>, every length ≥ 1,
/// and the element count fits one .NET array.
/// </summary>
internal sealed record BenchCase
{
    private readonly int[] _lengths;

    /// <summary>Creates and validates a case.</summary>
    /// <param name="lengths">Logical lengths: [N, C, H, W] or [N, C].</param>
    /// <param name="layout">How the tensor lies in memory.</param>
    /// <exception cref="ArgumentException">A rank other than 2 or 4, a length below 1, too many elements, or a layout the
    /// rank does not take.</exception>
    public BenchCase(int[] lengths, BenchLayout layout)
    {
        ArgumentNullException.ThrowIfNull(lengths);
        string text = string.Join(',', lengths);
        if (lengths.Length is not (2 or 4))
        {
            throw new ArgumentException($"--shape {text} has {lengths.Length} lengths; expected 4 (N,C,H,W) or 2 (N,C).", nameof(lengths));
        }

        if (lengths.Any(length => length < 1))
        {
            throw new ArgumentException($"--shape {text} has a length below 1.", nameof(lengths));
        }

        long elements = lengths.Aggregate(1L, (product, length) => checked(product * length));
        if (elements > Array.MaxLength)
        {
            throw new ArgumentException($"--shape {text} has {elements} elements; at most {Array.MaxLength} fit one array.", nameof(lengths));
        }

        bool fits = lengths.Length == 2 ? layout == BenchLayout.Rows : layout != BenchLayout.Rows;
        if (!fits)
        {
            throw new ArgumentException(
                lengths.Length == 2
                    ? $"--layout {EnumOption.Name(layout)} does not apply to the rank-2 shape {text}; rank-2 shapes take only rows."
                    : $"--layout rows does not apply to the rank-4 shape {text}; rank-4 shapes take nchw, nhwc or permuted.",
                nameof(layout));
        }

        _lengths = [.. lengths];
        Layout = layout;
        Elements = (int)elements;
    }

    /// <summary>The default table: [64,64,56,56] and [256,256,14,14] in every rank-4 layout; [1024,512], [256,256] and [32,64] as rows.</summary>
    public static IReadOnlyList<BenchCase> Defaults { get; } =
    [
        .. RankFour(64, 64, 56, 56),
        .. RankFour(256, 256, 14, 14),
        new([1024, 512], BenchLayout.Rows),
        new([256, 256], BenchLayout.Rows),
        new([32, 64], BenchLayout.Rows),
    ];

    /// <summary>Logical lengths: [N, C, H, W] or [N, C].</summary>
    public IReadOnlyList<int> Lengths => _lengths;

    /// <summary>How the tensor lies in memory.</summary>
    public BenchLayout Layout { get; }

    /// <summary>Number of elements.</summary>
    public int Elements { get; }

    /// <summary>Number of channels (the logical axis 1).</summary>
    public int Channels => _lengths[1];

    /// <summary>The lengths as <c>--shape</c> writes them, e.g. <c>64,64,56,56</c>.</summary>
    public string ShapeText => string.Join(',', _lengths.Select(length => length.ToString(CultureInfo.InvariantCulture)));

    /// <summary>The default layouts of a shape given without <c>--layout</c>: every rank-4 layout, or rows for rank 2.</summary>
    public static IEnumerable<BenchLayout> DefaultLayouts(int rank) =>
        rank == 2 ? [BenchLayout.Rows] : [BenchLayout.Nchw, BenchLayout.Nhwc, BenchLayout.Permuted];

    /// <summary>Shape and layout, e.g. <c>[64,64,56,56] nhwc</c> (BenchmarkDotNet shows parameters with this).</summary>
    public override string ToString() => $"[{ShapeText}] {EnumOption.Name(Layout)}";

    /// <summary>Value equality over the lengths' contents, not the array reference.</summary>
    public bool Equals(BenchCase? other) =>
        other is not null && Layout == other.Layout && _lengths.AsSpan().SequenceEqual(other._lengths);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Layout, ShapeText);

    private static IEnumerable<BenchCase> RankFour(params int[] lengths) =>
        DefaultLayouts(4).Select(layout => new BenchCase(lengths, layout));
}
