using System.Globalization;
using System.Numerics;
using BnNative.Collections;
using BnNative.Moments;
using BnNative.Normalization;
using BnNative.Tensors;

namespace BnNative.Testing;

/// <summary>
/// One generated batch normalization step: the input and the state's parts and settings. Every state value is already
/// rounded to the input's element type, so the <see cref="BatchNormState{T}"/> built from it holds exactly these numbers
/// and the double-precision reference (<see cref="ReferenceBatchNorm"/>) sees what the library sees. The constructor
/// validates; a <c>with</c> expression does not. Equality is record equality: the arrays compare by reference.
/// </summary>
public sealed record NormalizationCase
{
    /// <summary>Creates a case; the arrays are used as given (not copied).</summary>
    /// <param name="tensor">The input.</param>
    /// <param name="gamma">Per-channel scale (used when <paramref name="scale"/>), one per channel.</param>
    /// <param name="beta">Per-channel offset (used when <paramref name="center"/>), one per channel.</param>
    /// <param name="movingMean">Per-channel moving mean of the state, one per channel.</param>
    /// <param name="movingVariance">Per-channel moving variance of the state, one per channel, each ≥ 0.</param>
    /// <param name="epsilon">The config's epsilon, finite and ≥ 0.</param>
    /// <param name="momentum">The config's momentum (TF convention, the weight of the old value), in [0, 1].</param>
    /// <param name="center">The config's Center.</param>
    /// <param name="scale">The config's Scale.</param>
    /// <param name="estimator">The config's MovingVariance (null: tensorpack's rank rule).</param>
    /// <exception cref="ArgumentNullException">An array or <paramref name="tensor"/> is null.</exception>
    /// <exception cref="ArgumentException">A per-channel array does not hold one entry per channel.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A moving variance is negative or NaN, <paramref name="epsilon"/>
    /// or <paramref name="momentum"/> is out of range, or <paramref name="estimator"/> is not a defined value.</exception>
    public NormalizationCase(
        TensorCase tensor,
        double[] gamma,
        double[] beta,
        double[] movingMean,
        double[] movingVariance,
        double epsilon,
        double momentum,
        bool center,
        bool scale,
        VarianceEstimator? estimator)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        int channels = tensor.Channels;
        ArgumentChecks.PerChannel(channels, nameof(tensor), gamma, beta, movingMean, movingVariance);
        for (int c = 0; c < channels; c++)
        {
            if (!(movingVariance[c] >= 0))
            {
                throw new ArgumentOutOfRangeException(
                    nameof(movingVariance), movingVariance[c], $"movingVariance[{c}] must be ≥ 0, got {movingVariance[c]}.");
            }
        }

        ArgumentChecks.NonNegativeFinite(epsilon);
        if (!(momentum is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, $"momentum must be in [0, 1], got {momentum}.");
        }

        if (estimator is VarianceEstimator chosen)
        {
            ArgumentChecks.Defined(chosen, nameof(estimator));
        }

        Tensor = tensor;
        Gamma = gamma;
        Beta = beta;
        MovingMean = movingMean;
        MovingVariance = movingVariance;
        Epsilon = epsilon;
        Momentum = momentum;
        Center = center;
        Scale = scale;
        Estimator = estimator;
    }

    /// <summary>The input.</summary>
    public TensorCase Tensor { get; init; }

    /// <summary>Per-channel scale (used when <see cref="Scale"/>).</summary>
    public double[] Gamma { get; init; }

    /// <summary>Per-channel offset (used when <see cref="Center"/>).</summary>
    public double[] Beta { get; init; }

    /// <summary>Per-channel moving mean of the state.</summary>
    public double[] MovingMean { get; init; }

    /// <summary>Per-channel moving variance of the state.</summary>
    public double[] MovingVariance { get; init; }

    /// <summary>The config's epsilon.</summary>
    public double Epsilon { get; init; }

    /// <summary>The config's momentum (weight of the old value).</summary>
    public double Momentum { get; init; }

    /// <summary>The config's Center.</summary>
    public bool Center { get; init; }

    /// <summary>The config's Scale.</summary>
    public bool Scale { get; init; }

    /// <summary>The config's MovingVariance (null: tensorpack's rank rule).</summary>
    public VarianceEstimator? Estimator { get; init; }

    /// <summary>Number of channels.</summary>
    public int Channels => Tensor.Channels;

    /// <summary>The channel of each row-major position.</summary>
    public ChannelIndex Index => Tensor.Index;

    /// <summary>The gamma the step multiplies by: <see cref="Gamma"/>, or 1 when Scale is off.</summary>
    public double[] EffectiveGamma => Scale ? Gamma : Enumerable.Repeat(1.0, Channels).ToArray();

    /// <summary>The beta the step adds: <see cref="Beta"/>, or 0 when Center is off.</summary>
    public double[] EffectiveBeta => Center ? Beta : new double[Channels];

    /// <summary>The unit roundoff of the element type (2⁻²⁴ for float, 2⁻⁵³ for double).</summary>
    public double UnitRoundoff => Tensor.Type.UnitRoundoff();

    /// <summary>Runs the float or the double instance of a property, whichever the input's element type is.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public void Run(Action<NormalizationCase> single, Action<NormalizationCase> @double)
    {
        ArgumentNullException.ThrowIfNull(single);
        ArgumentNullException.ThrowIfNull(@double);
        (Tensor.Type == ElementType.Single ? single : @double)(this);
    }

    /// <summary>The input stored in its layout (<see cref="TensorCase.Store{T}"/>).</summary>
    public TensorView<T> Input<T>()
        where T : unmanaged, IFloatingPointIeee754<T> => Tensor.Store<T>();

    /// <summary>The state: moving statistics, gamma and beta from this case, converted to T, step 0.</summary>
    public BatchNormState<T> State<T>()
        where T : unmanaged, IFloatingPointIeee754<T> =>
        new(Vector<T>(MovingMean), Vector<T>(MovingVariance), Vector<T>(Gamma), Vector<T>(Beta), 0);

    /// <summary>
    /// The settings of this case (momentum, epsilon, center, scale, moving-variance estimator, the channel axis as the
    /// tensor names it) with <paramref name="moments"/> and <paramref name="update"/>; every other setting is
    /// <see cref="BatchNormConfig"/>'s default.
    /// </summary>
    /// <param name="moments">The moments backend.</param>
    /// <param name="update">When the moving-statistics update takes effect. Default <see cref="EmaUpdate.Skip"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="moments"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="update"/> is not a defined value.</exception>
    public BatchNormConfig Config(MomentsBackend moments, EmaUpdate update = EmaUpdate.Skip)
    {
        ArgumentNullException.ThrowIfNull(moments);
        ArgumentChecks.Defined(update);
        return new()
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
    }

    /// <summary>This case with gamma 1 and beta 0 (a fresh state's values).</summary>
    public NormalizationCase WithDefaultAffine() => this with
    {
        Gamma = Enumerable.Repeat(1.0, Channels).ToArray(),
        Beta = new double[Channels],
    };

    /// <summary>The input, then every state value and setting, for a counterexample report.</summary>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Tensor}; gamma [{Join(Gamma)}], beta [{Join(Beta)}], moving mean [{Join(MovingMean)}], moving variance [{Join(MovingVariance)}], "
        + $"eps {Epsilon}, momentum {Momentum}, center {Center}, scale {Scale}, moving variance estimator {Estimator?.ToString() ?? "null"}");

    private static ReadOnlyVector<T> Vector<T>(double[] values)
        where T : unmanaged, IFloatingPointIeee754<T> => ReadOnlyVector.Create(values.Select(T.CreateTruncating).ToArray());

    private static string Join(double[] values) => string.Join(", ", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
}
