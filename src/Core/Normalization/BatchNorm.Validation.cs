using System.Numerics;
using BnNative.Tensors;

namespace BnNative.Normalization;

/// <content>Checks every public entry runs before touching data: rank, channel axis and count, emptiness, finiteness, lengths.</content>
public static partial class BatchNorm
{
    /// <summary>Checks the input against the state and config; returns the resolved channel axis.</summary>
    private static int Validate<T>(TensorView<T> x, BatchNormState<T> state, BatchNormConfig config, bool allowEmpty = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(state);
        return Validate(x, state.Channels, "state", config, allowEmpty);
    }

    /// <summary>
    /// Checks the input against a channel count (<paramref name="owner"/> names what holds it: a state, a layer) and the
    /// config; returns the resolved channel axis.
    /// </summary>
    internal static int Validate<T>(TensorView<T> x, int channels, string owner, BatchNormConfig config, bool allowEmpty = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank < 2)
        {
            throw new ArgumentException(
                $"Batch normalization needs a tensor of rank ≥ 2 (a batch axis and a channel axis); x has rank {x.Rank}.", nameof(x));
        }

        int axis = ChannelAxis.Resolve(x.Rank, config.DataFormat, config.Axis);
        if (x.Lengths[axis] != channels)
        {
            throw new ArgumentException($"x has {x.Lengths[axis]} channels on axis {axis} but {owner} has {channels}.", owner);
        }

        if (x.ElementCount == 0 && !allowEmpty)
        {
            throw new ArgumentException($"Empty reduction: x {x.Shape} has no elements.", nameof(x));
        }

        if (config.CheckFinite && !ChannelKernels.AllFinite(x, out T bad))
        {
            throw new ArgumentException($"x holds a non-finite value ({bad}) and CheckFinite is on.", nameof(x));
        }

        return axis;
    }

    internal static void CheckSameLengths<T>(TensorView<T> x, TensorView<T> other, string name)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(other, name);
        if (!x.Lengths.SequenceEqual(other.Lengths))
        {
            throw new ArgumentException(
                $"{name} has lengths [{string.Join(", ", other.Lengths.ToArray())}] but x has [{string.Join(", ", x.Lengths.ToArray())}].", name);
        }
    }
}
