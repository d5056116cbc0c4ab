namespace BnNative.Testing;

/// <summary>
/// The gradients of one batch normalization step from <see cref="ReferenceBatchNorm"/>, in double, shaped as
/// <see cref="Normalization.BatchNormGradients{T}"/>. Equality is record equality: the arrays compare by reference.
/// </summary>
/// <param name="InputGradient">dx, in the input's logical row-major order.</param>
/// <param name="GammaGradient">dgamma per channel; null when the case's Scale is off.</param>
/// <param name="BetaGradient">dbeta per channel; null when the case's Center is off.</param>
public sealed record ReferenceGradients(double[] InputGradient, double[]? GammaGradient, double[]? BetaGradient);
