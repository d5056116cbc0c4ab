using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using BnNative.Collections;
using BnNative.Normalization;
using BnNative.Tensors;

namespace BnNative.Tests.Properties.Normalization;

/// <summary>Conversions and bit-for-bit comparisons of views and states.</summary>
public static class NormalizationAssert
{
    /// <summary>The elements of <paramref name="view"/> in logical row-major order, as doubles.</summary>
    public static double[] Values<T>(TensorView<T> view)
        where T : unmanaged, IFloatingPointIeee754<T> => view.ToArray().Select(double.CreateTruncating).ToArray();

    /// <summary>Asserts |<paramref name="actual"/> − <paramref name="expected"/>| ≤ <paramref name="bound"/>, naming <paramref name="what"/>.</summary>
    public static void Within(string what, double expected, double actual, double bound) =>
        Assert.True(
            Math.Abs(actual - expected) <= bound,
            string.Create(
                CultureInfo.InvariantCulture,
                $"{what} = {actual:R}, expected {expected:R} ± {bound:R} (off by {Math.Abs(actual - expected):R})."));

    /// <summary>
    /// Asserts that <paramref name="destination"/> holds the elements of <paramref name="expected"/> bit for bit and that
    /// nothing outside the view changed: its buffer was NaN-filled (<see cref="StorageLayout.Store{T}"/>) and the outputs are finite.
    /// </summary>
    public static void WroteOnlyTheView<T>(TensorView<T> expected, TensorView<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        BitwiseEqual(expected, destination);
        int outside = 0;
        foreach (var value in destination.Memory.Span)
        {
            outside += T.IsNaN(value) ? 1 : 0;
        }

        Assert.Equal(destination.Memory.Length - destination.ElementCount, outside);
    }

    /// <summary>Asserts the two views hold the same logical elements, bit for bit.</summary>
    public static void BitwiseEqual<T>(TensorView<T> expected, TensorView<T> actual)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Assert.Equal(expected.Lengths.ToArray(), actual.Lengths.ToArray());
        Assert.Equal(Bits<T>(expected.ToArray()), Bits<T>(actual.ToArray()));
    }

    /// <summary>Asserts record equality and, beyond it, bit-for-bit equal vectors (record equality takes −0 for +0).</summary>
    public static void BitwiseEqual<T>(BatchNormState<T> expected, BatchNormState<T> actual)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Assert.Equal(expected, actual);
        Assert.Equal(Bits(expected.MovingMean), Bits(actual.MovingMean));
        Assert.Equal(Bits(expected.MovingVariance), Bits(actual.MovingVariance));
        Assert.Equal(Bits(expected.Gamma), Bits(actual.Gamma));
        Assert.Equal(Bits(expected.Beta), Bits(actual.Beta));
    }

    private static byte[] Bits<T>(ReadOnlyVector<T> vector)
        where T : unmanaged, IFloatingPointIeee754<T> => Bits<T>(vector.AsSpan());

    private static byte[] Bits<T>(ReadOnlySpan<T> values)
        where T : unmanaged, IFloatingPointIeee754<T> => MemoryMarshal.AsBytes(values).ToArray();
}
