namespace BnNative.Tests.Properties.Distributed;

/// <summary>
/// How large the generated steps of <see cref="DistributedGenerators"/> are. Channel counts are small (1 to
/// <see cref="MaxChannels"/>) three times in four, and one time in four from 8 to <see cref="MaxWideChannels"/> when
/// that is at least 8: channels-last rows then span at least one 256-bit Vector&lt;T&gt; (8 floats, 4 doubles), so
/// the kernels' vectorized loops run as well as their scalar remainders.
/// </summary>
/// <param name="MaxVirtualBatchSize">Largest V of a ghost step.</param>
/// <param name="MaxChunks">Most ghost chunks (the batch size is V times their count).</param>
/// <param name="MaxChannels">Most channels of the usual, small, cases.</param>
/// <param name="MaxWideChannels">Most channels of the wide cases; below 8, there are none.</param>
/// <param name="MaxSpatial">Longest spatial axis (rank 4).</param>
public sealed record StepSizes(int MaxVirtualBatchSize, int MaxChunks, int MaxChannels, int MaxWideChannels, int MaxSpatial)
{
    /// <summary>V ≤ 4, at most 4 chunks, 1–5 or 8–20 channels, spatial axes ≤ 4: at most 5120 elements.</summary>
    public static StepSizes Default { get; } = new(4, 4, 5, 20, 4);

    /// <summary>The batch as one chunk of up to 8 samples (V = B).</summary>
    public static StepSizes WholeBatch { get; } = Default with { MaxVirtualBatchSize = 8, MaxChunks = 1 };

    /// <summary>Small tensors for finite differences (two forward passes per checked value): V ≤ 3, at most 2 chunks, 1–3 channels, spatial axes ≤ 2.</summary>
    public static StepSizes Gradient { get; } = new(3, 2, 3, 0, 2);
}
