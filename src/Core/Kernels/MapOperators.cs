using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.InteropServices;

namespace BnNative.Kernels;

/// <summary>
/// y = (x − m_hi)·scale + offset′, fused: the forward pass (training and inference). The mean's high part m_hi (the mean
/// rounded to T) is subtracted first, so the difference keeps the mean's precision where it matters (SPEC §4: x near a
/// mean of 1e4); its low part m_lo = mean − m_hi enters through offset′ = offset − m_lo·scale, computed in double.
/// Coefficients: m_hi, scale, offset′ (<see cref="Set"/>).
/// </summary>
internal readonly struct NormalizeOperator<T> : IChannelMap<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int Coefficients => 3;

    public static bool ReadsSecond => false;

    public static bool StreamsInColumns => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Apply<TVector, TWidth>(TVector a, TVector b, TVector k0, TVector k1, TVector k2, TVector k3, TVector k4)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector, T> =>
        TWidth.MultiplyAdd(TWidth.Subtract(a, k0), k1, k2);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Apply(T a, T b, T k0, T k1, T k2, T k3, T k4) => T.FusedMultiplyAdd(a - k0, k1, k2);

    /// <summary>
    /// Fills every channel's coefficients for plain batch normalization: scale = gamma·inverseStd (gamma = 1 without
    /// <paramref name="scaled"/>), offset = beta (0 without <paramref name="centered"/>); for float, eight channels at a
    /// time with the same roundings as <see cref="Set"/>.
    /// </summary>
    public static void Fill(
        Span<T> highs, Span<T> scales, Span<T> offsets, ReadOnlySpan<double> mean, ReadOnlySpan<double> inverseStd,
        ReadOnlySpan<T> gamma, ReadOnlySpan<T> beta, bool scaled, bool centered)
    {
        int c = typeof(T) == typeof(float)
            ? FillFloats(
                MemoryMarshal.Cast<T, float>(highs), MemoryMarshal.Cast<T, float>(scales), MemoryMarshal.Cast<T, float>(offsets), mean, inverseStd,
                MemoryMarshal.Cast<T, float>(gamma), MemoryMarshal.Cast<T, float>(beta), scaled, centered)
            : 0;

        for (; c < mean.Length; c++)
        {
            double g = scaled ? double.CreateTruncating(gamma[c]) : 1;
            Set(highs, scales, offsets, c, mean[c], g * inverseStd[c], centered ? double.CreateTruncating(beta[c]) : 0);
        }
    }

    /// <summary>
    /// <see cref="Fill"/> for float in vectors, sixteen channels at a time where the hardware has 512-bit vectors, then
    /// eight, with <see cref="Set"/>'s roundings; through references after one length check (the sliced spans' bounds
    /// checks were most of the instructions for 64 channels). Returns the first channel left for the scalar loop.
    /// </summary>
    private static int FillFloats(
        Span<float> highs, Span<float> scales, Span<float> offsets, ReadOnlySpan<double> mean, ReadOnlySpan<double> inverseStd,
        ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta, bool scaled, bool centered)
    {
        int length = mean.Length;
        if (highs.Length < length || scales.Length < length || offsets.Length < length || inverseStd.Length < length
            || (scaled && gamma.Length < length) || (centered && beta.Length < length))
        {
            throw new ArgumentException("Every coefficient row and per-channel input must cover the channels of the mean.", nameof(mean));
        }

        ref float high0 = ref MemoryMarshal.GetReference(highs);
        ref float scale0 = ref MemoryMarshal.GetReference(scales);
        ref float offset0 = ref MemoryMarshal.GetReference(offsets);
        ref double mean0 = ref MemoryMarshal.GetReference(mean);
        ref double inverse0 = ref MemoryMarshal.GetReference(inverseStd);
        ref float gamma0 = ref MemoryMarshal.GetReference(gamma);
        ref float beta0 = ref MemoryMarshal.GetReference(beta);
        int c = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            int half = Vector512<double>.Count;
            for (; c + Vector512<float>.Count <= length; c += Vector512<float>.Count)
            {
                var (gammaLow, gammaHigh) = Vector512.Widen(scaled ? Vector512.LoadUnsafe(ref gamma0, (nuint)c) : Vector512<float>.One);
                var (betaLow, betaHigh) = Vector512.Widen(centered ? Vector512.LoadUnsafe(ref beta0, (nuint)c) : Vector512<float>.Zero);
                var meanLow = Vector512.LoadUnsafe(ref mean0, (nuint)c);
                var meanHigh = Vector512.LoadUnsafe(ref mean0, (nuint)(c + half));
                var high = Vector512.Narrow(meanLow, meanHigh);
                var (highLow, highHigh) = Vector512.Widen(high);
                var scaleLow = gammaLow * Vector512.LoadUnsafe(ref inverse0, (nuint)c);
                var scaleHigh = gammaHigh * Vector512.LoadUnsafe(ref inverse0, (nuint)(c + half));
                high.StoreUnsafe(ref high0, (nuint)c);
                Vector512.Narrow(scaleLow, scaleHigh).StoreUnsafe(ref scale0, (nuint)c);
                Vector512.Narrow(betaLow - ((meanLow - highLow) * scaleLow), betaHigh - ((meanHigh - highHigh) * scaleHigh))
                    .StoreUnsafe(ref offset0, (nuint)c);
            }
        }

        int narrowHalf = Vector<double>.Count;
        for (; c + Vector<float>.Count <= length; c += Vector<float>.Count)
        {
            Vector.Widen(scaled ? Vector.LoadUnsafe(ref gamma0, (nuint)c) : Vector<float>.One, out var gammaLow, out var gammaHigh);
            Vector.Widen(centered ? Vector.LoadUnsafe(ref beta0, (nuint)c) : Vector<float>.Zero, out var betaLow, out var betaHigh);
            var meanLow = Vector.LoadUnsafe(ref mean0, (nuint)c);
            var meanHigh = Vector.LoadUnsafe(ref mean0, (nuint)(c + narrowHalf));
            var high = Vector.Narrow(meanLow, meanHigh);
            Vector.Widen(high, out var highLow, out var highHigh);
            var scaleLow = gammaLow * Vector.LoadUnsafe(ref inverse0, (nuint)c);
            var scaleHigh = gammaHigh * Vector.LoadUnsafe(ref inverse0, (nuint)(c + narrowHalf));
            high.StoreUnsafe(ref high0, (nuint)c);
            Vector.Narrow(scaleLow, scaleHigh).StoreUnsafe(ref scale0, (nuint)c);
            Vector.Narrow(betaLow - ((meanLow - highLow) * scaleLow), betaHigh - ((meanHigh - highHigh) * scaleHigh)).StoreUnsafe(ref offset0, (nuint)c);
        }

        return c;
    }

    /// <summary>Fills channel <paramref name="channel"/>'s coefficients for y = (x − mean)·scale + offset.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Set(Span<T> highs, Span<T> scales, Span<T> offsets, int channel, double mean, double scale, double offset)
    {
        T high = T.CreateTruncating(mean);
        highs[channel] = high;
        scales[channel] = T.CreateTruncating(scale);
        offsets[channel] = T.CreateTruncating(offset - ((mean - double.CreateTruncating(high)) * scale));
    }
}

/// <summary>
/// dx = q·(x − m_hi) + (p·dy + r′), fused: the training-mode input gradient with its per-channel factors precomputed, the
/// mean's low part folded into r′ = r − q·m_lo in double as in <see cref="NormalizeOperator{T}"/>. Inputs x and dy;
/// coefficients m_hi, p, q, r′ (<see cref="Set"/>).
/// </summary>
internal readonly struct InputGradientOperator<T> : IChannelMap<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int Coefficients => 4;

    public static bool ReadsSecond => true;

    public static bool StreamsInColumns => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Apply<TVector, TWidth>(TVector a, TVector b, TVector k0, TVector k1, TVector k2, TVector k3, TVector k4)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector, T> =>
        TWidth.MultiplyAdd(k2, TWidth.Subtract(a, k0), TWidth.MultiplyAdd(k1, b, k3));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Apply(T a, T b, T k0, T k1, T k2, T k3, T k4) => T.FusedMultiplyAdd(k2, a - k0, T.FusedMultiplyAdd(k1, b, k3));

    /// <summary>
    /// Fills the channels without renormalization (r = 1, d = 0) for the training backward
    /// pass: p = g·s, q = −g·s·s·s·dot/n, r = −g·s·Σdy/n with s the inverse std and g gamma (1 unscaled), and adds
    /// dot·s to gammaSum and Σdy to betaSum; for float, eight channels at a time with the scalar loop's roundings.
    /// Returns the first channel it did not fill (the caller's scalar loop does the rest).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int FillPlain(
        Span<T> highs, Span<T> ps, Span<T> qs, Span<T> offsets, ReadOnlySpan<double> mean, ReadOnlySpan<double> inverseStd,
        ReadOnlySpan<T> gamma, bool scaled, ReadOnlySpan<double> dot, ReadOnlySpan<double> sumDy, long n, Span<double> gammaSum,
        Span<double> betaSum)
    {
        int c = 0;
        if (typeof(T) != typeof(float))
        {
            return c;
        }

        int length = mean.Length;
        if (highs.Length < length || ps.Length < length || qs.Length < length || offsets.Length < length || inverseStd.Length < length
            || dot.Length < length || sumDy.Length < length || gammaSum.Length < length || betaSum.Length < length
            || (scaled && gamma.Length < length))
        {
            throw new ArgumentException("Every coefficient row and per-channel input must cover the channels of the mean.", nameof(mean));
        }

        // Through references after the length check: the sliced spans' bounds checks were most of the instructions.
        ref float gamma0 = ref Unsafe.As<T, float>(ref MemoryMarshal.GetReference(gamma));
        ref float high0 = ref Unsafe.As<T, float>(ref MemoryMarshal.GetReference(highs));
        ref float p0 = ref Unsafe.As<T, float>(ref MemoryMarshal.GetReference(ps));
        ref float q0 = ref Unsafe.As<T, float>(ref MemoryMarshal.GetReference(qs));
        ref float offset0 = ref Unsafe.As<T, float>(ref MemoryMarshal.GetReference(offsets));
        var sums = new ChannelSumsRefs(mean, inverseStd, dot, sumDy, gammaSum, betaSum);
        var count = new Vector<double>((double)n);
        int half = Vector<double>.Count;
        for (; c + Vector<float>.Count <= length; c += Vector<float>.Count)
        {
            Vector.Widen(scaled ? Vector.LoadUnsafe(ref gamma0, (nuint)c) : Vector<float>.One, out var gammaLow, out var gammaHigh);
            var high = Vector.Narrow(Vector.LoadUnsafe(ref sums.Mean, (nuint)c), Vector.LoadUnsafe(ref sums.Mean, (nuint)(c + half)));
            Vector.Widen(high, out var highLow, out var highHigh);
            var (pLow, qLow, offsetLow) = GradientFactors(gammaLow, highLow, ref sums, c, count);
            var (pHigh, qHigh, offsetHigh) = GradientFactors(gammaHigh, highHigh, ref sums, c + half, count);
            high.StoreUnsafe(ref high0, (nuint)c);
            Vector.Narrow(pLow, pHigh).StoreUnsafe(ref p0, (nuint)c);
            Vector.Narrow(qLow, qHigh).StoreUnsafe(ref q0, (nuint)c);
            Vector.Narrow(offsetLow, offsetHigh).StoreUnsafe(ref offset0, (nuint)c);
        }

        return c;
    }

    /// <summary>One vector of channels from <paramref name="c"/> of <see cref="FillPlain"/>, in double: (p, q, r′), and the dgamma/dbeta sums advanced.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector<double> P, Vector<double> Q, Vector<double> Offset) GradientFactors(
        Vector<double> g, Vector<double> highs, ref ChannelSumsRefs sums, int c, Vector<double> count)
    {
        var s = Vector.LoadUnsafe(ref sums.InverseStd, (nuint)c);
        var d = Vector.LoadUnsafe(ref sums.Dot, (nuint)c);
        var sdy = Vector.LoadUnsafe(ref sums.SumDy, (nuint)c);
        var q = -g * s * s * s * d / count;
        var r = -g * s * sdy / count;
        (Vector.LoadUnsafe(ref sums.GammaSum, (nuint)c) + ((d * s) + Vector<double>.Zero)).StoreUnsafe(ref sums.GammaSum, (nuint)c);
        (Vector.LoadUnsafe(ref sums.BetaSum, (nuint)c) + sdy).StoreUnsafe(ref sums.BetaSum, (nuint)c);
        return (g * s, q, r - (q * (Vector.LoadUnsafe(ref sums.Mean, (nuint)c) - highs)));
    }

    /// <summary>References to the first channel of <see cref="FillPlain"/>'s per-channel inputs and sums.</summary>
    private ref struct ChannelSumsRefs(
        ReadOnlySpan<double> mean, ReadOnlySpan<double> inverseStd, ReadOnlySpan<double> dot, ReadOnlySpan<double> sumDy, Span<double> gammaSum,
        Span<double> betaSum)
    {
        public ref double Mean = ref MemoryMarshal.GetReference(mean);
        public ref double InverseStd = ref MemoryMarshal.GetReference(inverseStd);
        public ref double Dot = ref MemoryMarshal.GetReference(dot);
        public ref double SumDy = ref MemoryMarshal.GetReference(sumDy);
        public ref double GammaSum = ref MemoryMarshal.GetReference(gammaSum);
        public ref double BetaSum = ref MemoryMarshal.GetReference(betaSum);
    }

    /// <summary>Fills channel <paramref name="channel"/>'s coefficients for dx = p·dy + q·(x − mean) + r.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Set(Span<T> highs, Span<T> ps, Span<T> qs, Span<T> offsets, int channel, double mean, double p, double q, double r)
    {
        T high = T.CreateTruncating(mean);
        highs[channel] = high;
        ps[channel] = T.CreateTruncating(p);
        qs[channel] = T.CreateTruncating(q);
        offsets[channel] = T.CreateTruncating(r - (q * (mean - double.CreateTruncating(high))));
    }
}

/// <summary>dx = p·dy: the inference-mode input gradient (the moving statistics are constants). Input dy; coefficient p.</summary>
internal readonly struct ScaleOperator<T> : IChannelMap<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int Coefficients => 1;

    public static bool ReadsSecond => false;

    public static bool StreamsInColumns => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Apply<TVector, TWidth>(TVector a, TVector b, TVector k0, TVector k1, TVector k2, TVector k3, TVector k4)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector, T> =>
        TWidth.Multiply(a, k0);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Apply(T a, T b, T k0, T k1, T k2, T k3, T k4) => a * k0;
}

/// <summary>
/// <typeparamref name="TOp"/> as a pass on its own, not right after a sums pass over its input (inference): the same
/// arithmetic, bit for bit, with <see cref="IChannelMap{T}.StreamsInColumns"/> false, so that a streamed pass walks
/// the rows in memory order.
/// </summary>
internal readonly struct StandalonePass<T, TOp> : IChannelMap<T>
    where T : unmanaged, IFloatingPointIeee754<T>
    where TOp : struct, IChannelMap<T>
{
    public static int Coefficients => TOp.Coefficients;

    public static bool ReadsSecond => TOp.ReadsSecond;

    public static bool StreamsInColumns => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVector Apply<TVector, TWidth>(TVector a, TVector b, TVector k0, TVector k1, TVector k2, TVector k3, TVector k4)
        where TVector : struct
        where TWidth : struct, IVectorWidth<TVector, T> =>
        TOp.Apply<TVector, TWidth>(a, b, k0, k1, k2, k3, k4);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Apply(T a, T b, T k0, T k1, T k2, T k3, T k4) => TOp.Apply(a, b, k0, k1, k2, k3, k4);
}
