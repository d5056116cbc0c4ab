namespace BnNative.Moments;

/// <summary>How a variance is estimated from a count n and a sum of squared deviations M2.</summary>
public enum VarianceEstimator
{
    /// <summary>M2 / n: the population variance. Normalization always uses this one.</summary>
    Biased,

    /// <summary>M2 / (n − 1): Bessel's correction; needs n ≥ 2.</summary>
    Unbiased,
}
