using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.InteropServices;

namespace BnNative.Kernels;

/// <summary>
/// The per-channel finish of a step (C values, not the tensor) in vectors: each function does, lane by lane, exactly
/// the IEEE operations its scalar form does (no fused or estimated operations), so results are bitwise those of the
/// scalar loops they replace. They exist because a step's O(C) work, written as a dozen scalar loops over indexers,
/// cost more than the reduction itself on tensors that fit in cache.
/// </summary>
internal static class ChannelVectorMath
{
    /// <summary>destination[c] = source[c] / divisor.</summary>
    public static void Divide(ReadOnlySpan<double> source, double divisor, Span<double> destination)
    {
        if (destination.Length < source.Length)
        {
            throw new ArgumentException("The destination must cover every channel.", nameof(destination));
        }

        ref double from = ref MemoryMarshal.GetReference(source);
        ref double to = ref MemoryMarshal.GetReference(destination);
        int c = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var wide = Vector512.Create(divisor);
            for (; c + Vector512<double>.Count <= source.Length; c += Vector512<double>.Count)
            {
                (Vector512.LoadUnsafe(ref from, (nuint)c) / wide).StoreUnsafe(ref to, (nuint)c);
            }
        }

        var divisors = new Vector<double>(divisor);
        for (; c + Vector<double>.Count <= source.Length; c += Vector<double>.Count)
        {
            (Vector.LoadUnsafe(ref from, (nuint)c) / divisors).StoreUnsafe(ref to, (nuint)c);
        }

        for (; c < source.Length; c++)
        {
            destination[c] = source[c] / divisor;
        }
    }

    /// <summary>destination[c] = 1 / sqrt(m2[c] / count + epsilon): the inverse standard deviation from the biased variance.</summary>
    public static void InverseStd(ReadOnlySpan<double> m2, long count, double epsilon, Span<double> destination)
    {
        double n = count;
        if (destination.Length < m2.Length)
        {
            throw new ArgumentException("The destination must cover every channel.", nameof(destination));
        }

        // Through references after the length check, 512 bits where the hardware has them (the sliced spans' bounds
        // checks cost more than the arithmetic for 64 channels).
        ref double source = ref MemoryMarshal.GetReference(m2);
        ref double target = ref MemoryMarshal.GetReference(destination);
        int c = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var wideCounts = Vector512.Create(n);
            var wideEpsilons = Vector512.Create(epsilon);
            for (; c + Vector512<double>.Count <= m2.Length; c += Vector512<double>.Count)
            {
                (Vector512<double>.One / Vector512.Sqrt((Vector512.LoadUnsafe(ref source, (nuint)c) / wideCounts) + wideEpsilons))
                    .StoreUnsafe(ref target, (nuint)c);
            }
        }

        var counts = new Vector<double>(n);
        var epsilons = new Vector<double>(epsilon);
        for (; c + Vector<double>.Count <= m2.Length; c += Vector<double>.Count)
        {
            (Vector<double>.One / Vector.SquareRoot((Vector.LoadUnsafe(ref source, (nuint)c) / counts) + epsilons)).StoreUnsafe(ref target, (nuint)c);
        }

        for (; c < m2.Length; c++)
        {
            destination[c] = 1 / Math.Sqrt((m2[c] / n) + epsilon);
        }
    }

    /// <summary>True when every |value| ≤ <paramref name="max"/> (false for any NaN).</summary>
    public static bool Within(ReadOnlySpan<double> values, double max)
    {
        ref double first = ref MemoryMarshal.GetReference(values);
        var limit = new Vector<double>(max);
        var outside = Vector<long>.Zero;
        int c = 0;
        for (; c + Vector<double>.Count <= values.Length; c += Vector<double>.Count)
        {
            // NaN compares false, so it lands outside.
            outside |= ~Vector.LessThanOrEqual(Vector.Abs(Vector.LoadUnsafe(ref first, (nuint)c)), limit);
        }

        bool within = outside == Vector<long>.Zero;
        for (; c < values.Length; c++)
        {
            within &= Math.Abs(values[c]) <= max;
        }

        return within;
    }

    /// <summary>
    /// True when |a[c]| ≤ <paramref name="maxA"/>, |b[c]| ≤ <paramref name="maxB"/> and |d[c]| ≤ <paramref name="maxD"/>
    /// for every c (NaN is never within): <see cref="Within(ReadOnlySpan{double}, double)"/> of the three in one pass
    /// (the checks of a small step cost more in loops than in comparisons). The spans have one length.
    /// </summary>
    public static bool Within(ReadOnlySpan<double> a, double maxA, ReadOnlySpan<double> b, double maxB, ReadOnlySpan<double> d, double maxD)
    {
        if (b.Length < a.Length || d.Length < a.Length)
        {
            throw new ArgumentException("The spans must have one length.", nameof(b));
        }

        int c = 0;
        bool within = true;
        if (Vector512.IsHardwareAccelerated)
        {
            ref double a0 = ref MemoryMarshal.GetReference(a);
            ref double b0 = ref MemoryMarshal.GetReference(b);
            ref double d0 = ref MemoryMarshal.GetReference(d);
            var limitA = Vector512.Create(maxA);
            var limitB = Vector512.Create(maxB);
            var limitD = Vector512.Create(maxD);
            var inside = Vector512<double>.AllBitsSet;
            for (; c + Vector512<double>.Count <= a.Length; c += Vector512<double>.Count)
            {
                // NaN compares false, so it lands outside.
                inside &= Vector512.LessThanOrEqual(Vector512.Abs(Vector512.LoadUnsafe(ref a0, (nuint)c)), limitA)
                    & Vector512.LessThanOrEqual(Vector512.Abs(Vector512.LoadUnsafe(ref b0, (nuint)c)), limitB)
                    & Vector512.LessThanOrEqual(Vector512.Abs(Vector512.LoadUnsafe(ref d0, (nuint)c)), limitD);
            }

            within = Vector512.EqualsAll(inside.AsInt64(), Vector512<long>.AllBitsSet);
        }

        for (; c < a.Length; c++)
        {
            within &= Math.Abs(a[c]) <= maxA && Math.Abs(b[c]) <= maxB && Math.Abs(d[c]) <= maxD;
        }

        return within;
    }

    /// <summary>True when every value is finite.</summary>
    public static bool AllFinite<T>(ReadOnlySpan<T> values)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // x − x is 0 for finite x and NaN for ±∞ and NaN; a NaN makes the sum NaN, which is not equal to itself.
        ref T first = ref MemoryMarshal.GetReference(values);
        int c = 0;
        bool finite = true;
        if (Vector512.IsHardwareAccelerated)
        {
            var wide = Vector512<T>.Zero;
            for (; c + Vector512<T>.Count <= values.Length; c += Vector512<T>.Count)
            {
                var v = Vector512.LoadUnsafe(ref first, (nuint)c);
                wide += v - v;
            }

            finite = Vector512.EqualsAll(wide, Vector512<T>.Zero);
        }

        var sum = Vector<T>.Zero;
        for (; c + Vector<T>.Count <= values.Length; c += Vector<T>.Count)
        {
            var v = Vector.LoadUnsafe(ref first, (nuint)c);
            sum += v - v;
        }

        finite &= Vector.EqualsAll(sum, Vector<T>.Zero);
        for (; c < values.Length; c++)
        {
            finite &= T.IsFinite(values[c]);
        }

        return finite;
    }
}
