using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace BnNative.Kernels;

/// <summary>
/// A per-channel pair of sums, S1 = Σ first(a, b) and S2 = Σ second(a, b), around the channel's value m (in T).
/// Written once as vector and scalar accumulation steps; <see cref="ChannelSums"/> drives it over any layout.
/// </summary>
internal interface IChannelSums<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>True when the operator reads a second input.</summary>
    static abstract bool ReadsSecond { get; }

    /// <summary>
    /// True for moments: each block's sums are checked for cancellation (<see cref="Moments.ChannelAccumulator.TryAddShifted"/>)
    /// and recomputed exactly when refused. False for sums that are used as they are.
    /// </summary>
    static abstract bool Checked { get; }

    /// <summary>
    /// Both sums' step on vectors of width <typeparamref name="TWidth"/>: the first term added to <paramref name="s1"/>,
    /// the second to <paramref name="s2"/>, lane by lane as <see cref="First"/> and <see cref="Second"/> round. One
    /// method for both, so a shared difference is computed once and each sum is updated in its own register (with the
    /// two steps as separate calls returning values, the JIT added two vector moves per step to the squares' FMA).
    /// </summary>
    static abstract void Step<TVector, TWidth>(TVector a, TVector b, TVector high, ref TVector s1, ref TVector s2)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector, T>;

    /// <summary>s1 plus the first term, one element.</summary>
    static abstract T First(T a, T b, T high, T s1);

    /// <summary>s2 plus the second term, one element.</summary>
    static abstract T Second(T a, T b, T high, T s2);
}

/// <summary>Shifted moments: S1 = Σ(x − K), S2 = Σ(x − K)² around the channel's shift K.</summary>
internal readonly struct ShiftedSquares<T> : IChannelSums<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool ReadsSecond => false;

    public static bool Checked => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Step<TVector, TWidth>(TVector a, TVector b, TVector high, ref TVector s1, ref TVector s2)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector, T>
    {
        var d = TWidth.Subtract(a, high);
        s1 = TWidth.Add(s1, d);
        s2 = TWidth.MultiplyAdd(d, d, s2);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T First(T a, T b, T high, T s1) => s1 + (a - high);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Second(T a, T b, T high, T s2)
    {
        T d = a - high;
        return T.FusedMultiplyAdd(d, d, s2);
    }
}

/// <summary>
/// The backward pass's sums: S1 = Σdy, S2 = Σ(x − m_hi)·dy, with a = x and b = dy. The caller subtracts m_lo·S1 in
/// double, which gives Σ(x − mean)·dy with the mean's full precision (m_lo is below half an ulp of m_hi).
/// </summary>
internal readonly struct GradientProducts<T> : IChannelSums<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static bool ReadsSecond => true;

    public static bool Checked => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Step<TVector, TWidth>(TVector a, TVector b, TVector high, ref TVector s1, ref TVector s2)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector, T>
    {
        s1 = TWidth.Add(s1, b);
        s2 = TWidth.MultiplyAdd(TWidth.Subtract(a, high), b, s2);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T First(T a, T b, T high, T s1) => s1 + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Second(T a, T b, T high, T s2) => T.FusedMultiplyAdd(a - high, b, s2);
}

/// <summary>Fused multiply-add on <see cref="Vector{T}"/> of float or double (one rounding).</summary>
internal static class VectorMath
{
    /// <summary>a·b + c, fused.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> MultiplyAdd<T>(Vector<T> a, Vector<T> b, Vector<T> c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            return Vector.FusedMultiplyAdd(a.As<T, float>(), b.As<T, float>(), c.As<T, float>()).As<float, T>();
        }

        return Vector.FusedMultiplyAdd(a.As<T, double>(), b.As<T, double>(), c.As<T, double>()).As<double, T>();
    }

    /// <summary>a·b + c, fused, on 512-bit vectors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> MultiplyAdd<T>(Vector512<T> a, Vector512<T> b, Vector512<T> c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            return Vector512.FusedMultiplyAdd(a.As<T, float>(), b.As<T, float>(), c.As<T, float>()).As<float, T>();
        }

        return Vector512.FusedMultiplyAdd(a.As<T, double>(), b.As<T, double>(), c.As<T, double>()).As<double, T>();
    }
}
