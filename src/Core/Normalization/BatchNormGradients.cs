using System.Numerics;
using BnNative.Collections;
using BnNative.Tensors;

namespace BnNative.Normalization;

/// <summary>The gradients of one batch normalization step (SPEC §9).</summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
/// <param name="InputGradient">dx, with the input's logical shape (row-major when the pass allocated it, else the caller's view).</param>
/// <param name="GammaGradient">dgamma per channel; null when the config's Scale is off.</param>
/// <param name="BetaGradient">dbeta per channel; null when the config's Center is off.</param>
public sealed record BatchNormGradients<T>(TensorView<T> InputGradient, ReadOnlyVector<T>? GammaGradient, ReadOnlyVector<T>? BetaGradient)
    where T : unmanaged, IFloatingPointIeee754<T>;
