using System.Numerics;
using System.Runtime.CompilerServices;

namespace BnNative.Kernels;

/// <summary>
/// y = (x − m_hi − m_lo)·scale + offset: the forward pass (training and inference). The mean is subtracted first, in a
/// high and a low part, so its double precision reaches the difference (SPEC §4). Coefficients: m_hi, m_lo, scale, offset.
/// </summary>
internal readonly struct NormalizeOperator<T> : IChannelMap<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int Coefficients => 4;

    public static bool ReadsSecond => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> Apply(Vector<T> a, Vector<T> b, Vector<T> k0, Vector<T> k1, Vector<T> k2, Vector<T> k3, Vector<T> k4) =>
        ((a - k0 - k1) * k2) + k3;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Apply(T a, T b, T k0, T k1, T k2, T k3, T k4) => ((a - k0 - k1) * k2) + k3;
}

/// <summary>
/// dx = p·dy + q·(x − m_hi − m_lo) + r: the training-mode input gradient with its per-channel factors precomputed.
/// Inputs x and dy; coefficients m_hi, m_lo, p, q, r.
/// </summary>
internal readonly struct InputGradientOperator<T> : IChannelMap<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int Coefficients => 5;

    public static bool ReadsSecond => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> Apply(Vector<T> a, Vector<T> b, Vector<T> k0, Vector<T> k1, Vector<T> k2, Vector<T> k3, Vector<T> k4) =>
        (k2 * b) + (k3 * (a - k0 - k1)) + k4;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Apply(T a, T b, T k0, T k1, T k2, T k3, T k4) => (k2 * b) + (k3 * (a - k0 - k1)) + k4;
}

/// <summary>dx = p·dy: the inference-mode input gradient (the moving statistics are constants). Input dy; coefficient p.</summary>
internal readonly struct ScaleOperator<T> : IChannelMap<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int Coefficients => 1;

    public static bool ReadsSecond => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> Apply(Vector<T> a, Vector<T> b, Vector<T> k0, Vector<T> k1, Vector<T> k2, Vector<T> k3, Vector<T> k4) => a * k0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Apply(T a, T b, T k0, T k1, T k2, T k3, T k4) => a * k0;
}
