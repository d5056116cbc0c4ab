using System.Numerics;
using System.Runtime.InteropServices;
using BnNative.Collections;
using BnNative.Moments;
using BnNative.Normalization;
using BnNative.Tests.Properties.Normalization;

namespace BnNative.Tests.Properties.Distributed;

/// <summary>Bit-for-bit comparisons of moments, per-channel vectors and gradients (record equality takes −0 for +0).</summary>
public static class DistributedAssert
{
    /// <summary>Asserts record equality and bit-for-bit equal count, mean and M2.</summary>
    public static void BitwiseEqual(BatchMoments expected, BatchMoments actual)
    {
        Assert.Equal(expected, actual);
        BitwiseEqual(expected.Mean, actual.Mean);
        BitwiseEqual(expected.M2, actual.M2);
    }

    /// <summary>Asserts both vectors are null, or hold the same elements bit for bit.</summary>
    public static void BitwiseEqual<T>(ReadOnlyVector<T>? expected, ReadOnlyVector<T>? actual)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Assert.Equal(expected is null, actual is null);
        if (expected is not null)
        {
            Assert.Equal(MemoryMarshal.AsBytes(expected.AsSpan()).ToArray(), MemoryMarshal.AsBytes(actual!.AsSpan()).ToArray());
        }
    }

    /// <summary>Asserts dx, dgamma and dbeta are equal bit for bit (and null on the same sides).</summary>
    public static void BitwiseEqual<T>(BatchNormGradients<T> expected, BatchNormGradients<T> actual)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        NormalizationAssert.BitwiseEqual(expected.InputGradient, actual.InputGradient);
        BitwiseEqual(expected.GammaGradient, actual.GammaGradient);
        BitwiseEqual(expected.BetaGradient, actual.BetaGradient);
    }
}
