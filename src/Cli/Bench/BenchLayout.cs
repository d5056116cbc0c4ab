namespace BnNative.Cli.Bench;

/// <summary>How a benchmark tensor lies in memory, given its logical lengths (NCHW for rank 4, [N, C] for rank 2).</summary>
internal enum BenchLayout
{
    /// <summary>Row-major NCHW buffer; channel axis 1.</summary>
    Nchw,

    /// <summary>Row-major buffer with lengths [N, H, W, C]; channel axis 3.</summary>
    Nhwc,

    /// <summary>
    /// A row-major NCHW buffer seen through <c>Permute(0, 2, 3, 1)</c>: lengths [N, H, W, C], strides
    /// [C·H·W, W, 1, H·W] (not contiguous in that order); channel axis 3.
    /// </summary>
    Permuted,

    /// <summary>A rank-2 row-major [N, C] buffer; channel axis 1. The only layout for rank-2 shapes.</summary>
    Rows,
}
