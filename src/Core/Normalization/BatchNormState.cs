using System.Numerics;
using BnNative.Collections;

namespace BnNative.Normalization;

/// <summary>
/// The state of a batch normalization layer, an immutable value (record equality compares contents): moving mean
/// (init 0), moving variance (init 1), gamma (init 1), beta (init 0) and the number of moving-statistics updates
/// applied so far (<see cref="Step"/>; the cumulative and zero-debiased averages need it). On disk the names are
/// tensorpack's: <c>mean/EMA</c>, <c>variance/EMA</c>, <c>gamma</c>, <c>beta</c>, <c>step</c>.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>, the element type of the tensors it normalizes.</typeparam>
public sealed record BatchNormState<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly ReadOnlyVector<T> _movingMean;
    private readonly ReadOnlyVector<T> _movingVariance;
    private readonly ReadOnlyVector<T> _gamma;
    private readonly ReadOnlyVector<T> _beta;
    private readonly long _step;
    private readonly BatchRenormState<T>? _renorm;

    /// <summary>Creates a state from its parts.</summary>
    /// <exception cref="ArgumentNullException">A vector is null.</exception>
    /// <exception cref="ArgumentException">The vectors differ in length, or there are no channels.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="step"/> is negative, or a moving variance is negative.</exception>
    public BatchNormState(
        ReadOnlyVector<T> movingMean, ReadOnlyVector<T> movingVariance, ReadOnlyVector<T> gamma, ReadOnlyVector<T> beta, long step)
    {
        ArgumentNullException.ThrowIfNull(movingMean);
        ArgumentNullException.ThrowIfNull(movingVariance);
        ArgumentNullException.ThrowIfNull(gamma);
        ArgumentNullException.ThrowIfNull(beta);
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        if (movingMean.Length == 0)
        {
            throw new ArgumentException("A batch normalization state needs at least one channel.", nameof(movingMean));
        }

        CheckLength(movingVariance, movingMean.Length, nameof(movingVariance));
        CheckLength(gamma, movingMean.Length, nameof(gamma));
        CheckLength(beta, movingMean.Length, nameof(beta));
        for (int c = 0; c < movingVariance.Length; c++)
        {
            if (movingVariance[c] < T.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(movingVariance), movingVariance[c], $"movingVariance[{c}] must be ≥ 0.");
            }
        }

        _movingMean = movingMean;
        _movingVariance = movingVariance;
        _gamma = gamma;
        _beta = beta;
        _step = step;
    }

    /// <summary>Per-channel moving mean (tensorpack's <c>mean/EMA</c>).</summary>
    /// <exception cref="ArgumentException">In a <c>with</c> expression: a different channel count (build a new state with the constructor instead).</exception>
    public ReadOnlyVector<T> MovingMean
    {
        get => _movingMean;
        init => _movingMean = Checked(value, nameof(MovingMean));
    }

    /// <summary>Per-channel moving variance (tensorpack's <c>variance/EMA</c>), every entry ≥ 0.</summary>
    /// <exception cref="ArgumentException">In a <c>with</c> expression: a different channel count.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A negative entry.</exception>
    public ReadOnlyVector<T> MovingVariance
    {
        get => _movingVariance;
        init
        {
            Checked(value, nameof(MovingVariance));
            for (int c = 0; c < value.Length; c++)
            {
                if (value[c] < T.Zero)
                {
                    throw new ArgumentOutOfRangeException(nameof(MovingVariance), value[c], $"MovingVariance[{c}] must be ≥ 0.");
                }
            }

            _movingVariance = value;
        }
    }

    /// <summary>Per-channel scale (all 1 and unused when the config's Scale is false).</summary>
    /// <exception cref="ArgumentException">In a <c>with</c> expression: a different channel count.</exception>
    public ReadOnlyVector<T> Gamma
    {
        get => _gamma;
        init => _gamma = Checked(value, nameof(Gamma));
    }

    /// <summary>Per-channel offset (all 0 and unused when the config's Center is false).</summary>
    /// <exception cref="ArgumentException">In a <c>with</c> expression: a different channel count.</exception>
    public ReadOnlyVector<T> Beta
    {
        get => _beta;
        init => _beta = Checked(value, nameof(Beta));
    }

    /// <summary>Moving-statistics updates applied so far, ≥ 0.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative.</exception>
    public long Step
    {
        get => _step;
        init => _step = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(Step), value, "Step must be ≥ 0.");
    }

    /// <summary>
    /// The batch renormalization state, or null when the layer does not renormalize. A renorm training step on a state
    /// without one starts from <see cref="BatchRenormState{T}.Init"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A different channel count.</exception>
    public BatchRenormState<T>? Renorm
    {
        get => _renorm;
        init => _renorm = value is null || value.Channels == _movingMean.Length
            ? value
            : throw new ArgumentException($"Renorm has {value.Channels} channels but the state has {_movingMean.Length}.", nameof(Renorm));
    }

    /// <summary>Number of channels.</summary>
    public int Channels => MovingMean.Length;

    /// <summary>
    /// The initial state: moving mean 0, moving variance 1, gamma 1, beta 0, step 0, and with
    /// <see cref="BatchNormConfig.Renorm"/> set the initial <see cref="BatchRenormState{T}"/>.
    /// </summary>
    /// <param name="channels">Number of channels, ≥ 1.</param>
    /// <param name="config">The layer's settings (only <see cref="BatchNormConfig.Renorm"/> changes the initial state).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="channels"/> is below 1.</exception>
    public static BatchNormState<T> Init(int channels, BatchNormConfig? config = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        return new BatchNormState<T>(
            ReadOnlyVector<T>.Filled(channels, T.Zero),
            ReadOnlyVector<T>.Filled(channels, T.One),
            ReadOnlyVector<T>.Filled(channels, T.One),
            ReadOnlyVector<T>.Filled(channels, T.Zero),
            0)
        {
            Renorm = config?.Renorm is null ? null : BatchRenormState<T>.Init(channels),
        };
    }

    /// <summary>A vector set in a <c>with</c> expression must keep the channel count (all four vectors share it).</summary>
    private ReadOnlyVector<T> Checked(ReadOnlyVector<T> value, string name)
    {
        ArgumentNullException.ThrowIfNull(value, name);
        if (_movingMean is not null && value.Length != _movingMean.Length)
        {
            throw new ArgumentException(
                $"{name} has {value.Length} channels but the state has {_movingMean.Length}; build a state with another channel count with the constructor.",
                name);
        }

        return value;
    }

    private static void CheckLength(ReadOnlyVector<T> vector, int channels, string name)
    {
        if (vector.Length != channels)
        {
            throw new ArgumentException($"{name} has {vector.Length} channels but movingMean has {channels}.", name);
        }
    }
}
