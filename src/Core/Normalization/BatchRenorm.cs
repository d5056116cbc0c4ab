using System.Globalization;

namespace BnNative.Normalization;

/// <summary>
/// Batch renormalization settings (SPEC §8, Ioffe 2017): the correction factors r = clip(s_B/s_R, 1/rmax, rmax) and
/// d = clip((mu − renorm_mean)/s_R, −dmax, dmax) where s_B = sqrt(s2 + eps) and s_R = max(renorm_stddev, sqrt(eps));
/// training output y = gamma·(r·(x − mu)/s_B + d) + beta. rmax = 1, dmax = 0 is plain batch norm.
/// </summary>
public sealed record BatchRenorm
{
    private readonly double _rMax = 3;
    private readonly double _dMax = 5;
    private readonly double _momentum = 0.99;

    /// <summary>Creates settings with the given clip bounds and renorm momentum 0.99.</summary>
    /// <param name="rMax">Upper bound of r, ≥ 1 (r's lower bound is 1/rMax).</param>
    /// <param name="dMax">Bound of |d|, ≥ 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">rMax &lt; 1, dMax &lt; 0, or either is not finite.</exception>
    public BatchRenorm(double rMax, double dMax)
    {
        if (!(rMax >= 1 && double.IsFinite(rMax)))
        {
            throw new ArgumentOutOfRangeException(nameof(rMax), rMax, string.Create(CultureInfo.InvariantCulture, $"rMax must be finite and ≥ 1; got {rMax}."));
        }

        if (!(dMax >= 0 && double.IsFinite(dMax)))
        {
            throw new ArgumentOutOfRangeException(nameof(dMax), dMax, string.Create(CultureInfo.InvariantCulture, $"dMax must be finite and ≥ 0; got {dMax}."));
        }

        RMax = rMax;
        DMax = dMax;
    }

    /// <summary>Upper bound of r, finite and ≥ 1. r is clipped to [1/RMax, RMax].</summary>
    /// <exception cref="ArgumentOutOfRangeException">Below 1, infinite or NaN.</exception>
    public double RMax
    {
        get => _rMax;
        init => _rMax = value >= 1 && double.IsFinite(value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(RMax), value, string.Create(CultureInfo.InvariantCulture, $"RMax must be finite and ≥ 1; got {value}."));
    }

    /// <summary>Bound of |d|, finite and ≥ 0.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative, infinite or NaN.</exception>
    public double DMax
    {
        get => _dMax;
        init => _dMax = value >= 0 && double.IsFinite(value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(DMax), value, string.Create(CultureInfo.InvariantCulture, $"DMax must be finite and ≥ 0; got {value}."));
    }

    /// <summary>Weight of the old value in the EMAs of renorm_mean and renorm_stddev, in [0, 1]. Default 0.99.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Outside [0, 1] or NaN.</exception>
    public double Momentum
    {
        get => _momentum;
        init => _momentum = value is >= 0 and <= 1
            ? value
            : throw new ArgumentOutOfRangeException(nameof(Momentum), value, string.Create(CultureInfo.InvariantCulture, $"Renorm momentum must be in [0, 1]; got {value}."));
    }

    /// <summary>Parses "RMAX,DMAX" (invariant culture), as the CLI's <c>--renorm</c> takes it.</summary>
    /// <exception cref="FormatException">Not two comma-separated numbers.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A bound is out of range.</exception>
    public static BatchRenorm Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split(',');
        if (parts.Length != 2
            || !double.TryParse(parts[0].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double rMax)
            || !double.TryParse(parts[1].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double dMax))
        {
            throw new FormatException($"Expected RMAX,DMAX (two numbers, for example 3,5); got '{text}'.");
        }

        return new BatchRenorm(rMax, dMax);
    }
}
