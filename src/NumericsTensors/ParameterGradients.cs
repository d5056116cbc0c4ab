using System.Numerics;
using BnNative.Collections;

namespace BnNative.NumericsTensors;

/// <summary>
/// The per-channel gradients of a backward pass over tensor spans; dx went into the caller's
/// <see cref="System.Numerics.Tensors.TensorSpan{T}"/>, so unlike <see cref="Normalization.BatchNormGradients{T}"/> this
/// holds no view of caller memory and may be kept as long as wanted.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
/// <param name="GammaGradient">dgamma per channel; null when the config's Scale is off.</param>
/// <param name="BetaGradient">dbeta per channel; null when the config's Center is off.</param>
public sealed record ParameterGradients<T>(ReadOnlyVector<T>? GammaGradient, ReadOnlyVector<T>? BetaGradient)
    where T : unmanaged, IFloatingPointIeee754<T>;
