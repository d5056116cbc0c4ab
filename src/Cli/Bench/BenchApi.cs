namespace BnNative.Cli.Bench;

/// <summary>Which public API a benchmark row calls.</summary>
internal enum BenchApi
{
    /// <summary>
    /// <see cref="Normalization.BatchNormLayer{T}"/>: Train, Infer and Backward in place into caller-owned destinations,
    /// no managed allocation per call (the form a training loop uses).
    /// </summary>
    Layer,

    /// <summary>
    /// <see cref="Normalization.BatchNorm"/>'s pure functions with a destination: each step also returns its immutable
    /// next state, moments and result objects, O(C) allocations per call.
    /// </summary>
    Record,

    /// <summary>
    /// Not the library: bare loops of the training and inference arithmetic with nothing around them
    /// (<see cref="BoundKernels"/>), a lower bound for the library's kernels on the machine at hand.
    /// </summary>
    Bound,
}
