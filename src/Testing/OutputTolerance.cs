using System.Globalization;

namespace BnNative.Testing;

/// <summary>
/// How far each element of a BnNative normalization output may be from <see cref="ReferenceBatchNorm"/>: the error
/// bound of one normalization step. BnNative evaluates y = (x − m_c)·a_c + beta_c with a_c = gamma_c/sqrt(v_c + eps),
/// the mean subtracted first, so for an element at distance |x − m_c| from the mean the bound (<see cref="At"/>) is
/// <list type="bullet">
/// <item><description>the statistics term (training only: the backend's moments are within a
/// <see cref="MomentTolerance"/>, Δm_c and Δv_c): |a_c|·(Δm_c + |x − m_c|·Δv_c/(2(v_c + eps)));</description></item>
/// <item><description>plus the rounding term: the element-wise pass rounds a handful of times in the element type
/// (x − m_hi, − m_lo, ·a, + beta, and a_c itself), each time by at most u of |a_c·(x − m_c)| + |beta_c|; 8u covers
/// those and the reference's own double rounding.</description></item>
/// </list>
/// For float32 input and a float backend, Δm and Δv come from <see cref="MomentTolerance.For"/>. Over all of BnNative's
/// backends the largest error its property suite has seen used 8% of this bound.
/// </summary>
public sealed class OutputTolerance
{
    /// <summary>The rounding term's multiple of the unit roundoff.</summary>
    private const double Roundings = 8;

    private readonly NormalizationCase _step;
    private readonly ChannelIndex _index;
    private readonly double[] _beta;
    private readonly double _unitRoundoff;
    private readonly double[] _center;
    private readonly double[] _scale;
    private readonly double[] _meanError;
    private readonly double[] _relativeVarianceError;

    private OutputTolerance(NormalizationCase step, double[] center, double[] variance, double[] meanError, double[] varianceError)
    {
        _step = step;
        _index = step.Index;
        _beta = step.EffectiveBeta;
        _unitRoundoff = step.UnitRoundoff;
        _center = center;
        var gamma = step.EffectiveGamma;
        _scale = variance.Select((v, c) => Math.Abs(gamma[c]) / Math.Sqrt(v + step.Epsilon)).ToArray();
        _meanError = meanError;
        _relativeVarianceError = varianceError.Select((e, c) => e / (2 * (variance[c] + step.Epsilon))).ToArray();
    }

    /// <summary>
    /// Training mode: the output of a step whose batch moments are within <paramref name="moments"/> of the exact ones
    /// (<see cref="MomentTolerance.For"/> for any BnNative backend, <see cref="MomentTolerance.Double"/> for the Reference
    /// backend).
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static OutputTolerance Training(NormalizationCase step, MomentTolerance moments)
    {
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(moments);
        var statistics = step.Tensor.Statistics();
        var (meanError, varianceError) = moments.Bounds(statistics);
        return new OutputTolerance(step, statistics.Mean, statistics.Variance, meanError, varianceError);
    }

    /// <summary>Inference mode: the state's moving statistics are exact, so only the rounding term remains.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="step"/> is null.</exception>
    public static OutputTolerance Inference(NormalizationCase step)
    {
        ArgumentNullException.ThrowIfNull(step);
        return new(step, step.MovingMean, step.MovingVariance, new double[step.Channels], new double[step.Channels]);
    }

    /// <summary>The bound for the element at row-major <paramref name="position"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="position"/> is outside the input.</exception>
    public double At(int position)
    {
        var values = _step.Tensor.Values;
        if ((uint)position >= (uint)values.Length)
        {
            throw new ArgumentOutOfRangeException(
                nameof(position), position, $"position must be in [0, {values.Length - 1}] (the input's elements), got {position}.");
        }

        int c = _index.At(position);
        double distance = Math.Abs(values[position] - _center[c]);
        double statistics = _scale[c] * (_meanError[c] + (distance * _relativeVarianceError[c]));
        double rounding = Roundings * _unitRoundoff * ((_scale[c] * distance) + Math.Abs(_beta[c]));
        return statistics + rounding;
    }

    /// <summary>The largest bound over the elements of each channel.</summary>
    public double[] PerChannel()
    {
        var bound = new double[_step.Channels];
        for (int i = 0; i < _step.Tensor.Values.Length; i++)
        {
            int c = _index.At(i);
            bound[c] = Math.Max(bound[c], At(i));
        }

        return bound;
    }

    /// <summary>
    /// Checks every element of <paramref name="actual"/> (row-major, e.g. <c>output.ToArray()</c> widened to double)
    /// against <paramref name="expected"/> (the reference): |actual − expected| ≤ <paramref name="factor"/>·<see cref="At"/>.
    /// </summary>
    /// <param name="expected">The reference output.</param>
    /// <param name="actual">The output to check.</param>
    /// <param name="factor">Multiple of the bound allowed, finite and ≥ 0; 2 compares two outputs that are each within one bound. Default 1.</param>
    /// <exception cref="ArgumentNullException">An array is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="factor"/> is negative, infinite or NaN.</exception>
    /// <exception cref="OracleMismatchException">A length differs or an element is off; the message names the first such element.</exception>
    public void Verify(IReadOnlyList<double> expected, IReadOnlyList<double> actual, double factor = 1)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        ArgumentChecks.NonNegativeFinite(factor);
        int length = _step.Tensor.Values.Length;
        if (expected.Count != length || actual.Count != length)
        {
            throw new OracleMismatchException(
                $"Outputs of {length} elements expected, got {expected.Count} expected and {actual.Count} actual values.");
        }

        for (int i = 0; i < length; i++)
        {
            double bound = factor * At(i);
            if (!(Math.Abs(actual[i] - expected[i]) <= bound))
            {
                throw new OracleMismatchException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"y at row-major {i} (channel {_index.At(i)}, x = {_step.Tensor.Values[i]:R}) = {actual[i]:R}, expected {expected[i]:R} ± {bound:R} (off by {Math.Abs(actual[i] - expected[i]):R})."));
            }
        }
    }
}
