using System.Numerics;
using BnNative.Collections;
using BnNative.Normalization;
using BnNative.Tensors;

namespace BnNative.Tests.Normalization;

/// <summary>
/// Shapes beyond the property tests' 8-per-axis cap: hundreds of channels (inference rents its per-channel buffers
/// above 512) and long contiguous rows, so that every vectorized loop runs many full vectors before its remainder.
/// </summary>
public sealed class WideTensorTests
{
    public static TheoryData<int[], DataFormat> WideShapes => new()
    {
        { [4, 515], DataFormat.ChannelsLast },
        { [3, 4, 130], DataFormat.ChannelsLast },
        { [2, 3, 10, 33], DataFormat.ChannelsFirst },
        { [2, 600, 1], DataFormat.ChannelsFirst },
    };

    [Theory]
    [InlineData(513)]
    [InlineData(1000)]
    public void InferenceWithTheBatchStatisticsEqualsTraining(int channels)
    {
        var x = TensorView<double>.Create(Values(3 * channels), 3, channels);
        var config = new BatchNormConfig { EmaUpdate = EmaUpdate.Skip, Epsilon = 1e-3 };
        var initial = BatchNormState<double>.Init(channels);
        var train = BatchNorm.Train(x, initial, config);
        var batchStatistics = initial with
        {
            MovingMean = train.BatchMoments.Mean,
            MovingVariance = train.BatchMoments.Variance(),
        };

        var inferred = BatchNorm.Infer(x, batchStatistics, config).Data;

        var trained = train.Output.ToArray();
        for (int i = 0; i < trained.Length; i++)
        {
            Assert.Equal(trained[i], inferred[i], 1e-12);
        }
    }

    [Theory]
    [MemberData(nameof(WideShapes))]
    public void DoubleBackwardMatchesTheFormula(int[] lengths, DataFormat format) => AssertBackwardMatchesTheFormula<double>(lengths, format, 1e-10);

    /// <summary>float: partial sums of up to 64 float terms per lane (≤ 3.8e-6 relative) and float dx; 1e-4 of the scale.</summary>
    [Theory]
    [MemberData(nameof(WideShapes))]
    public void FloatBackwardMatchesTheFormula(int[] lengths, DataFormat format) => AssertBackwardMatchesTheFormula<float>(lengths, format, 1e-4);

    /// <summary>
    /// SPEC §9 per channel in double: sum_dy = Σdy, dot = Σ(x − mu)·dy, invstd = 1/sqrt(s2 + eps), dbeta = sum_dy,
    /// dgamma = dot·invstd, dx = gamma·invstd·(dy − sum_dy/n − (x − mu)·invstd²·dot/n); each compared within
    /// <paramref name="relative"/> of the sum of its terms' sizes.
    /// </summary>
    private static void AssertBackwardMatchesTheFormula<T>(int[] lengths, DataFormat format, double relative)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int count = lengths.Aggregate(1, (product, length) => product * length);
        var x = Values(count).Select(T.CreateTruncating).ToArray();
        var dy = Values(count, phase: 1).Select(v => T.CreateTruncating(v - 50)).ToArray();
        var config = new BatchNormConfig { DataFormat = format, EmaUpdate = EmaUpdate.Skip };
        int axis = ChannelAxis.Resolve(lengths.Length, format);
        int channels = lengths[axis];
        int inner = lengths.Skip(axis + 1).Aggregate(1, (product, length) => product * length);
        int ChannelOf(int i) => i / inner % channels;
        var state = BatchNormState<T>.Init(channels) with
        {
            Gamma = ReadOnlyVector.Create(Enumerable.Range(0, channels).Select(c => T.CreateTruncating(0.5 + (c % 3))).ToArray()),
        };

        var gradients = BatchNorm.Backward(TensorView<T>.Create(dy, lengths), BatchNorm.Train(TensorView<T>.Create(x, lengths), state, config));

        double n = count / channels;
        var xs = x.Select(double.CreateTruncating).ToArray();
        var gs = dy.Select(double.CreateTruncating).ToArray();
        var mean = new double[channels];
        var m2 = new double[channels];
        var sumDy = new double[channels];
        var dot = new double[channels];
        var dotSize = new double[channels];
        var sumDySize = new double[channels];
        for (int i = 0; i < count; i++)
        {
            mean[ChannelOf(i)] += xs[i] / n;
        }

        for (int i = 0; i < count; i++)
        {
            int c = ChannelOf(i);
            m2[c] += (xs[i] - mean[c]) * (xs[i] - mean[c]);
            sumDy[c] += gs[i];
            dot[c] += (xs[i] - mean[c]) * gs[i];
            dotSize[c] += Math.Abs((xs[i] - mean[c]) * gs[i]);
            sumDySize[c] += Math.Abs(gs[i]);
        }

        var invstd = m2.Select(m => 1 / Math.Sqrt((m / n) + config.Epsilon)).ToArray();
        for (int i = 0; i < count; i++)
        {
            int c = ChannelOf(i);
            double gamma = double.CreateTruncating(state.Gamma[c]);
            double centered = (xs[i] - mean[c]) * invstd[c] * invstd[c] * dot[c] / n;
            double expected = gamma * invstd[c] * (gs[i] - (sumDy[c] / n) - centered);
            double size = gamma * invstd[c] * (Math.Abs(gs[i]) + (sumDySize[c] / n) + (Math.Abs(xs[i] - mean[c]) * invstd[c] * invstd[c] * dotSize[c] / n));
            Assert.Equal(expected, double.CreateTruncating(gradients.InputGradient.ToArray()[i]), relative * size);
        }

        for (int c = 0; c < channels; c++)
        {
            Assert.Equal(dot[c] * invstd[c], double.CreateTruncating(gradients.GammaGradient![c]), relative * dotSize[c] * invstd[c]);
            Assert.Equal(sumDy[c], double.CreateTruncating(gradients.BetaGradient![c]), relative * sumDySize[c]);
        }
    }

    /// <summary>Deterministic values around 50, spread up to ±7.</summary>
    private static double[] Values(int count, int phase = 0) =>
        Enumerable.Range(0, count).Select(i => 50 + (Math.Sin(i + phase) * (1 + ((i + phase) % 7)))).ToArray();
}
