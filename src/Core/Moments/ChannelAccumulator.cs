using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.InteropServices;

namespace BnNative.Moments;

/// <summary>
/// The per-channel state of a shifted-sums reduction (<see cref="BnNative.Kernels.ChannelSums"/>). Blocks whose shifted
/// sums are free of cancellation are added as plain sums around the channel's shift; a block whose mean lies so
/// far from the shift that S2 − S1²/n would lose more than a factor <see cref="BnNative.Kernels.ChannelSums.MaxAmplification"/>
/// of precision is refused by <see cref="TryAddShifted"/>, and the kernel adds its exactly computed moments with
/// <see cref="AddExact"/> instead (Chan's merge).
/// </summary>
internal struct ChannelAccumulator
{
    internal const double AcceptedShare = 1 - (1 / BnNative.Kernels.ChannelSums.MaxAmplification);

    private long _shiftedCount;
    private double _sum;
    private double _sumOfSquares;
    private long _exactCount;
    private double _exactMean;
    private double _exactM2;

    /// <summary>
    /// Adds a block of <paramref name="count"/> elements given S1 = Σ(x − shift) and S2 = Σ(x − shift)², unless
    /// S1²/n exceeds (1 − 1/MaxAmplification)·S2, in which case nothing is added and false is returned.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryAddShifted(long count, double sum, double sumOfSquares)
    {
        if (sum * sum > AcceptedShare * count * sumOfSquares)
        {
            return false;
        }

        _shiftedCount += count;
        _sum += sum;
        _sumOfSquares += sumOfSquares;
        return true;
    }

    /// <summary>Adds a block's sums unconditionally (sums used as they are, such as the backward pass's).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void AddSums(long count, double sum, double sumOfSquares)
    {
        _shiftedCount += count;
        _sum += sum;
        _sumOfSquares += sumOfSquares;
    }

    /// <summary>The accumulated S1 and S2 (of the blocks added as sums).</summary>
    public readonly (double Sum, double SumOfSquares) Sums => (_sum, _sumOfSquares);

    /// <summary>Adds the exact moments (count, mean, M2) of a block (Chan's merge).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void AddExact(long count, double mean, double m2)
    {
        (_exactMean, _exactM2) = BatchMoments.MergeChannel(_exactCount, _exactMean, _exactM2, count, mean, m2);
        _exactCount += count;
    }

    /// <summary>Adds the state of a later chunk: shifted sums add, exact parts merge.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Add(in ChannelAccumulator later)
    {
        _shiftedCount += later._shiftedCount;
        _sum += later._sum;
        _sumOfSquares += later._sumOfSquares;
        if (later._exactCount != 0)
        {
            AddExact(later._exactCount, later._exactMean, later._exactM2);
        }
    }

    /// <summary>
    /// <see cref="Result"/> for every channel: four channels at a time in vectors where all four hold only shifted sums
    /// of one count (the usual case), with the scalar form's IEEE operations lane by lane, so the bits are the same.
    /// </summary>
    internal static void Results<T>(ReadOnlySpan<ChannelAccumulator> totals, ReadOnlySpan<T> shifts, Span<double> mean, Span<double> m2)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        CheckCovered(totals.Length, shifts.Length, mean.Length, m2.Length);
        int c = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            // Through references after the length check: with sliced spans and element-wise shift conversions, this
            // took 1.4 µs for 512 channels, a twentieth of a [1024, 512] moments call.
            ref ChannelAccumulator total0 = ref MemoryMarshal.GetReference(totals);
            ref T shift0 = ref MemoryMarshal.GetReference(shifts);
            ref double mean0 = ref MemoryMarshal.GetReference(mean);
            ref double m20 = ref MemoryMarshal.GetReference(m2);
            for (; c + 4 <= totals.Length; c += 4)
            {
                ref var t0 = ref Unsafe.Add(ref total0, c);
                ref var t1 = ref Unsafe.Add(ref total0, c + 1);
                ref var t2 = ref Unsafe.Add(ref total0, c + 2);
                ref var t3 = ref Unsafe.Add(ref total0, c + 3);
                long count = t0._shiftedCount;
                if (count <= 0 || (t0._exactCount | t1._exactCount | t2._exactCount | t3._exactCount) != 0
                    || t1._shiftedCount != count || t2._shiftedCount != count || t3._shiftedCount != count)
                {
                    for (int k = c; k < c + 4; k++)
                    {
                        (mean[k], m2[k]) = totals[k].Result(double.CreateTruncating(shifts[k]));
                    }

                    continue;
                }

                var offset = Offset(
                    Vector256.Create(t0._sum, t1._sum, t2._sum, t3._sum),
                    Vector256.Create(t0._sumOfSquares, t1._sumOfSquares, t2._sumOfSquares, t3._sumOfSquares),
                    FourShifts(ref shift0, c), count, out var deviations);
                offset.StoreUnsafe(ref mean0, (nuint)c);
                deviations.StoreUnsafe(ref m20, (nuint)c);
            }
        }

        for (; c < totals.Length; c++)
        {
            (mean[c], m2[c]) = totals[c].Result(double.CreateTruncating(shifts[c]));
        }
    }

    /// <summary>
    /// What <see cref="Results{T}(ReadOnlySpan{ChannelAccumulator}, ReadOnlySpan{T}, Span{double}, Span{double})"/> gives for accumulators that each took exactly one accepted block of
    /// <paramref name="count"/> (≥ 1) elements with sums <paramref name="sum"/> and <paramref name="squares"/> (one per
    /// channel), bit for bit, without the accumulators (the short rows of <see cref="Kernels.ChannelSums.TryShortRows"/>).
    /// </summary>
    internal static void Results<T>(long count, ReadOnlySpan<double> sum, ReadOnlySpan<double> squares, ReadOnlySpan<T> shifts, Span<double> mean, Span<double> m2)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        // An accumulator adds its block to sums that start at +0 (so −0 becomes +0); the same addition here.
        if (squares.Length < sum.Length)
        {
            throw new ArgumentException("Every span must cover the channels of the sums.", nameof(squares));
        }

        CheckCovered(sum.Length, shifts.Length, mean.Length, m2.Length);
        int c = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            // Through references after the length check (sliced spans and lane-by-lane conversions cost more than the
            // arithmetic for 64 channels); the shifts widen exactly, as the scalar conversion does.
            ref double sum0 = ref MemoryMarshal.GetReference(sum);
            ref double squares0 = ref MemoryMarshal.GetReference(squares);
            ref T shift0 = ref MemoryMarshal.GetReference(shifts);
            ref double mean0 = ref MemoryMarshal.GetReference(mean);
            ref double m20 = ref MemoryMarshal.GetReference(m2);
            for (; c + 4 <= sum.Length; c += 4)
            {
                var offset = Offset(
                    Vector256<double>.Zero + Vector256.LoadUnsafe(ref sum0, (nuint)c), Vector256<double>.Zero + Vector256.LoadUnsafe(ref squares0, (nuint)c),
                    FourShifts(ref shift0, c), count, out var deviations);
                offset.StoreUnsafe(ref mean0, (nuint)c);
                deviations.StoreUnsafe(ref m20, (nuint)c);
            }
        }

        for (; c < sum.Length; c++)
        {
            var one = new ChannelAccumulator { _shiftedCount = count, _sum = 0.0 + sum[c], _sumOfSquares = 0.0 + squares[c] };
            (mean[c], m2[c]) = one.Result(double.CreateTruncating(shifts[c]));
        }
    }

    /// <summary>Throws unless the shifts and both outputs cover <paramref name="channels"/> channels.</summary>
    private static void CheckCovered(int channels, int shifts, int mean, int m2)
    {
        string? shorter = shifts < channels ? nameof(shifts) : mean < channels ? nameof(mean) : m2 < channels ? nameof(m2) : null;
        if (shorter is not null)
        {
            throw new ArgumentException($"{shorter} must cover every one of the {channels} channels.", shorter);
        }
    }

    /// <summary>Shifts c … c + 3 widened to double (exactly, as the scalar conversion does).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> FourShifts<T>(ref T shift0, int c)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            var four = Vector128.LoadUnsafe(ref Unsafe.As<T, float>(ref shift0), (nuint)c);
            return Vector256.Create(Vector128.WidenLower(four), Vector128.WidenUpper(four));
        }

        if (typeof(T) == typeof(double))
        {
            return Vector256.LoadUnsafe(ref Unsafe.As<T, double>(ref shift0), (nuint)c);
        }

        return Vector256.Create(
            double.CreateTruncating(Unsafe.Add(ref shift0, c)), double.CreateTruncating(Unsafe.Add(ref shift0, c + 1)),
            double.CreateTruncating(Unsafe.Add(ref shift0, c + 2)), double.CreateTruncating(Unsafe.Add(ref shift0, c + 3)));
    }

    /// <summary>The means (returned) and M2 (<paramref name="m2"/>) of the vector loops of Results.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Offset(Vector256<double> sum, Vector256<double> squares, Vector256<double> shift, long count, out Vector256<double> m2)
    {
        var offset = sum / Vector256.Create((double)count);
        m2 = Vector256.Max(squares - (sum * offset), Vector256<double>.Zero);
        return shift + offset;
    }

    /// <summary>The channel's (mean, M2), the shifted part taken around <paramref name="shift"/>.</summary>
    internal readonly (double Mean, double M2) Result(double shift)
    {
        double mean = 0;
        double m2 = 0;
        if (_shiftedCount > 0)
        {
            double offset = _sum / _shiftedCount;
            mean = shift + offset;
            m2 = Math.Max(_sumOfSquares - (_sum * offset), 0);
        }

        return _exactCount == 0 ? (mean, m2) : BatchMoments.MergeChannel(_shiftedCount, mean, m2, _exactCount, _exactMean, _exactM2);
    }
}
