using System.Runtime.CompilerServices;
using System.Numerics;
using BnNative.Collections;
using BnNative.Kernels;
using BnNative.Moments;

namespace BnNative.Normalization;

/// <content>What each chunk of a training step normalizes with: its inverse standard deviation and, with batch renormalization, r and d.</content>
public static partial class BatchNorm
{
    /// <summary>Inverse standard deviation, and with renorm r and d (SPEC §8), of one chunk.</summary>
    private static BatchNormChunk ChunkStatistics<T>(BatchMoments moments, int start, int length, BatchNormState<T> state, BatchNormConfig config)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int channels = moments.Channels;
        var inverseStd = new double[channels];
        ChannelVectorMath.InverseStd(moments.M2.AsSpan(), moments.Count, config.Epsilon, inverseStd);
        if (config.Renorm is not { } renorm)
        {
            return new BatchNormChunk(start, length, moments, ReadOnlyVector<double>.Adopt(inverseStd), null, null);
        }

        var variance = moments.Variance();
        var renormState = state.Renorm ?? BatchRenormState<T>.Init(channels);
        var r = new double[channels];
        var d = new double[channels];
        double floor = Math.Sqrt(config.Epsilon);
        for (int c = 0; c < channels; c++)
        {
            double batchStd = Math.Sqrt(variance[c] + config.Epsilon);
            double renormStd = Math.Max(double.CreateTruncating(renormState.RenormStddev[c]), floor);
            double shift = moments.Mean[c] - double.CreateTruncating(renormState.RenormMean[c]);

            // With eps = 0 and renorm_stddev = 0, s_R is 0: equal numerators give r = 1 and d = 0 rather than 0/0 = NaN.
            r[c] = batchStd == renormStd ? 1 : Math.Clamp(batchStd / renormStd, 1 / renorm.RMax, renorm.RMax);
            d[c] = shift == 0 ? 0 : Math.Clamp(shift / renormStd, -renorm.DMax, renorm.DMax);
        }

        return new BatchNormChunk(
            start, length, moments, ReadOnlyVector<double>.Adopt(inverseStd), ReadOnlyVector<double>.Adopt(r), ReadOnlyVector<double>.Adopt(d));
    }
}
