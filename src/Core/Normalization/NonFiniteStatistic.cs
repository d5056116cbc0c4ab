namespace BnNative.Normalization;

/// <summary>
/// One per-channel value a training step refused to use or store (see <see cref="NonFiniteStatisticsException"/>):
/// NaN, ±∞, or a finite double that does not fit the element type (it would become ±∞ when stored).
/// </summary>
/// <param name="Channel">The channel index.</param>
/// <param name="Quantity">
/// What the value is: <c>batch mean</c>, <c>batch variance</c> (biased), <c>inverse std</c> (1/sqrt(s2 + eps)),
/// <c>renorm r</c>, <c>renorm d</c> (the batch statistics and what is derived from them), or a part of the next state by
/// its tensorpack/TF name: <c>mean/EMA</c>, <c>variance/EMA</c>, <c>renorm_mean</c>, <c>renorm_stddev</c>,
/// <c>moving_stddev</c>.
/// </param>
/// <param name="Value">The offending value, in double (a batch statistic before it was rounded to the element type).</param>
/// <param name="Chunk">Under ghost batch norm, the index of the chunk whose statistics these are; otherwise null.</param>
public sealed record NonFiniteStatistic(int Channel, string Quantity, double Value, int? Chunk)
{
    /// <summary>True when <see cref="Value"/> is finite in double but too large for the element type (an overflow at the store).</summary>
    public bool Overflows => double.IsFinite(Value);
}
