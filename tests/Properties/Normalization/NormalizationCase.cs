using System.Globalization;
using System.Numerics;
using BnNative.Collections;
using BnNative.Moments;
using BnNative.Normalization;
using BnNative.Tensors;

namespace BnNative.Tests.Properties.Normalization;

/// <summary>
/// One generated batch normalization step: the input (shape, channel axis, element type, values, layout) and the
/// state's parts and settings. Every state value is already rounded to the element type, so the state built from it
/// holds exactly these numbers and the double-precision reference sees what the library sees.
/// </summary>
/// <param name="Tensor">The input.</param>
/// <param name="Gamma">Per-channel scale (used when <paramref name="Scale"/>).</param>
/// <param name="Beta">Per-channel offset (used when <paramref name="Center"/>).</param>
/// <param name="MovingMean">Per-channel moving mean of the state.</param>
/// <param name="MovingVariance">Per-channel moving variance of the state, &gt; 0.</param>
/// <param name="Epsilon">The config's epsilon.</param>
/// <param name="Momentum">The config's momentum (weight of the old value).</param>
/// <param name="Center">The config's Center.</param>
/// <param name="Scale">The config's Scale.</param>
/// <param name="Estimator">The config's MovingVariance (null: tensorpack's rank rule).</param>
public sealed record NormalizationCase(
    MomentsCase Tensor,
    double[] Gamma,
    double[] Beta,
    double[] MovingMean,
    double[] MovingVariance,
    double Epsilon,
    double Momentum,
    bool Center,
    bool Scale,
    VarianceEstimator? Estimator)
{
    /// <summary>Number of channels.</summary>
    public int Channels => Tensor.Lengths[Tensor.ChannelAxis];

    /// <summary>The channel of each row-major position.</summary>
    public ChannelIndex Index => ChannelIndex.Of(Tensor.Lengths, Tensor.ChannelAxis);

    /// <summary>The gamma the step multiplies by: <see cref="Gamma"/>, or 1 when Scale is off.</summary>
    public double[] EffectiveGamma => Scale ? Gamma : Enumerable.Repeat(1.0, Channels).ToArray();

    /// <summary>The beta the step adds: <see cref="Beta"/>, or 0 when Center is off.</summary>
    public double[] EffectiveBeta => Center ? Beta : new double[Channels];

    /// <summary>The unit roundoff of the element type (2⁻²⁴ for float, 2⁻⁵³ for double).</summary>
    public double UnitRoundoff => Tensor.Type == ElementType.Single ? Math.ScaleB(1, -24) : Math.ScaleB(1, -53);

    /// <summary>Runs the property's float or double instance, whichever the input's element type is.</summary>
    public void Run(Action<NormalizationCase> single, Action<NormalizationCase> @double) =>
        (Tensor.Type == ElementType.Single ? single : @double)(this);

    /// <summary>The input stored in its layout.</summary>
    public TensorView<T> Input<T>()
        where T : unmanaged, IFloatingPointIeee754<T> => Tensor.Layout.Store<T>(Tensor.Lengths, Tensor.Values);

    /// <summary>The state: moving statistics, gamma and beta from this case, step 0.</summary>
    public BatchNormState<T> State<T>()
        where T : unmanaged, IFloatingPointIeee754<T> =>
        new(Vector<T>(MovingMean), Vector<T>(MovingVariance), Vector<T>(Gamma), Vector<T>(Beta), 0);

    /// <summary>The settings of this case with the given backend and EMA update mode; the channel axis as the tensor names it.</summary>
    public BatchNormConfig Config(MomentsBackend moments, EmaUpdate update = EmaUpdate.Skip) => new()
    {
        Momentum = Momentum,
        Epsilon = Epsilon,
        Center = Center,
        Scale = Scale,
        DataFormat = Tensor.Channel.Format,
        Axis = Tensor.Channel.ExplicitAxis,
        MovingVariance = Estimator,
        EmaUpdate = update,
        Moments = moments,
    };

    /// <summary>This case with gamma 1 and beta 0 (the initial values).</summary>
    public NormalizationCase WithDefaultAffine() => this with
    {
        Gamma = Enumerable.Repeat(1.0, Channels).ToArray(),
        Beta = new double[Channels],
    };

    /// <summary>The loss Σ w·y over row-major positions, summed with Neumaier's compensation so that it rounds once.</summary>
    public static double Dot(double[] w, double[] y)
    {
        double sum = 0;
        double compensation = 0;
        for (int i = 0; i < w.Length; i++)
        {
            double term = w[i] * y[i];
            double next = sum + term;
            compensation += Math.Abs(sum) >= Math.Abs(term) ? (sum - next) + term : (term - next) + sum;
            sum = next;
        }

        return sum + compensation;
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Tensor}; gamma [{Join(Gamma)}], beta [{Join(Beta)}], moving mean [{Join(MovingMean)}], moving variance [{Join(MovingVariance)}], "
        + $"eps {Epsilon}, momentum {Momentum}, center {Center}, scale {Scale}, moving variance estimator {Estimator?.ToString() ?? "null"}");

    private static ReadOnlyVector<T> Vector<T>(double[] values)
        where T : unmanaged, IFloatingPointIeee754<T> => ReadOnlyVector.Create(values.Select(T.CreateTruncating).ToArray());

    private static string Join(double[] values) => string.Join(", ", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
}
