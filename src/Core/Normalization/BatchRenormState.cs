using System.Numerics;
using BnNative.Collections;

namespace BnNative.Normalization;

/// <summary>
/// The extra state of batch renormalization (SPEC §8), an immutable value: renorm_mean (init 0) and renorm_stddev
/// (init 1), EMAs of the batch mean and of s_B = sqrt(s2 + eps) with the renorm momentum, and moving_stddev (init 1),
/// the EMA of s_B with the layer's momentum from which the moving variance is derived: max(moving_stddev² − eps, 0).
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed record BatchRenormState<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates the renorm state from its parts.</summary>
    /// <exception cref="ArgumentNullException">A vector is null.</exception>
    /// <exception cref="ArgumentException">The vectors differ in length or are empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A standard deviation is negative.</exception>
    public BatchRenormState(ReadOnlyVector<T> renormMean, ReadOnlyVector<T> renormStddev, ReadOnlyVector<T> movingStddev)
    {
        ArgumentNullException.ThrowIfNull(renormMean);
        ArgumentNullException.ThrowIfNull(renormStddev);
        ArgumentNullException.ThrowIfNull(movingStddev);
        if (renormMean.Length == 0)
        {
            throw new ArgumentException("A renorm state needs at least one channel.", nameof(renormMean));
        }

        CheckStddev(renormStddev, renormMean.Length, nameof(renormStddev));
        CheckStddev(movingStddev, renormMean.Length, nameof(movingStddev));
        RenormMean = renormMean;
        RenormStddev = renormStddev;
        MovingStddev = movingStddev;
    }

    /// <summary>EMA of the batch mean with the renorm momentum (TF's <c>renorm_mean</c>).</summary>
    public ReadOnlyVector<T> RenormMean { get; }

    /// <summary>EMA of s_B with the renorm momentum (TF's <c>renorm_stddev</c>), ≥ 0.</summary>
    public ReadOnlyVector<T> RenormStddev { get; }

    /// <summary>EMA of s_B with the layer's momentum (TF's <c>moving_stddev</c>), ≥ 0.</summary>
    public ReadOnlyVector<T> MovingStddev { get; }

    /// <summary>Number of channels.</summary>
    public int Channels => RenormMean.Length;

    /// <summary>The initial renorm state: renorm_mean 0, renorm_stddev 1, moving_stddev 1.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="channels"/> is below 1.</exception>
    public static BatchRenormState<T> Init(int channels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        return new BatchRenormState<T>(
            ReadOnlyVector<T>.Filled(channels, T.Zero), ReadOnlyVector<T>.Filled(channels, T.One), ReadOnlyVector<T>.Filled(channels, T.One));
    }

    private static void CheckStddev(ReadOnlyVector<T> vector, int channels, string name)
    {
        if (vector.Length != channels)
        {
            throw new ArgumentException($"{name} has {vector.Length} channels but renormMean has {channels}.", name);
        }

        for (int c = 0; c < vector.Length; c++)
        {
            // NaN passes, as in BatchNormState's moving variance: a non-finite state is what the training step's
            // non-finite check reports (or, with AllowNonFinite, propagates), not a malformed argument.
            if (vector[c] < T.Zero)
            {
                throw new ArgumentOutOfRangeException(name, vector[c], $"{name}[{c}] must be ≥ 0.");
            }
        }
    }
}
