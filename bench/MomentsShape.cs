using BnNative.Tensors;

namespace BnNative.Benchmarks;

/// <summary>A benchmark tensor: its physical lengths and the channel axis in them.</summary>
public sealed record MomentsShape(string Label, int[] Lengths, int ChannelAxis)
{
    /// <summary>The shapes the issue asks for: the 51 MB and 13 MB activations in both layouts, and a rank-2 batch.</summary>
    public static readonly MomentsShape[] All =
    [
        new("64x64x56x56 NCHW", [64, 64, 56, 56], 1),
        new("64x64x56x56 NHWC", [64, 56, 56, 64], 3),
        new("256x256x14x14 NCHW", [256, 256, 14, 14], 1),
        new("256x256x14x14 NHWC", [256, 14, 14, 256], 3),
        new("1024x512", [1024, 512], 1),
    ];

    /// <summary>Number of elements.</summary>
    public long Elements => TensorShape.RowMajor(Lengths).ElementCount;

    /// <summary>The label (BenchmarkDotNet prints parameters with ToString).</summary>
    public override string ToString() => Label;
}
