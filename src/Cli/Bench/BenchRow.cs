using System.Text.Json.Serialization;

namespace BnNative.Cli.Bench;

/// <summary>One row of the bench table and of the <c>--json</c> array (property names in the JSON are snake_case).</summary>
internal sealed record BenchRow
{
    /// <summary>Logical lengths, e.g. <c>64,64,56,56</c>.</summary>
    [JsonPropertyName("shape")]
    public required string Shape { get; init; }

    /// <summary><c>nchw</c>, <c>nhwc</c>, <c>permuted</c> or <c>rows</c>.</summary>
    [JsonPropertyName("layout")]
    public required string Layout { get; init; }

    /// <summary>Threads of the kernel and of its floor.</summary>
    [JsonPropertyName("threads")]
    public required int Threads { get; init; }

    /// <summary><c>train</c>, <c>infer</c> or <c>backward</c>.</summary>
    [JsonPropertyName("op")]
    public required string Op { get; init; }

    /// <summary>The moments backend's name (<c>auto</c>, <c>simd</c>, <c>cblas:openblas</c>, …).</summary>
    [JsonPropertyName("backend")]
    public required string Backend { get; init; }

    [JsonPropertyName("api")]
    public required string Api { get; init; }

    /// <summary>Median kernel time, milliseconds.</summary>
    [JsonPropertyName("median_ms")]
    public required double MedianMs { get; init; }

    /// <summary>Median floor time, milliseconds, from the same rounds.</summary>
    [JsonPropertyName("floor_ms")]
    public required double FloorMs { get; init; }

    /// <summary>Kernel median / floor median: 1.00 is at the floor, lower is better.</summary>
    [JsonPropertyName("ratio")]
    public double Ratio => MedianMs / FloorMs;

    /// <summary>Bytes the kernel allocated per call, on any thread.</summary>
    [JsonPropertyName("alloc_bytes")]
    public required long AllocBytes { get; init; }

    /// <summary>The train and inference floors' copy in cache: <c>best</c> or <c>vector</c> (<see cref="Bench.FloorCopy"/>).</summary>
    [JsonPropertyName("floor_copy")]
    public string FloorCopy { get; init; } = "best";

    /// <summary>The floor's traffic (<see cref="BandwidthFloor.Bytes"/>) divided by the kernel median, GB/s (10⁹ bytes).</summary>
    [JsonPropertyName("gb_per_s")]
    public required double GBPerSecond { get; init; }
}
