using BnNative.Collections;

namespace BnNative.Normalization;

/// <summary>The batch renormalization part of an <see cref="EmaTransition"/> (SPEC §8).</summary>
/// <param name="Stddev">The batch s_B = sqrt(s2 + eps) per channel (or, for Keras' ghost source, the mean of the chunks' s_B).</param>
/// <param name="Momentum">The renorm momentum (weight of the old value) for renorm_mean and renorm_stddev.</param>
/// <param name="Epsilon">The layer's epsilon: moving_variance = max(moving_stddev² − Epsilon, 0).</param>
public sealed record RenormTransition(ReadOnlyVector<double> Stddev, double Momentum, double Epsilon);
