using BnNative.Collections;
using BnNative.Kernels;
using BnNative.Normalization;

namespace BnNative.Tests.Core;

/// <summary>
/// The vectorized per-channel finish must give bitwise the results of the scalar formulas it replaced, for every
/// length (whole vectors plus any remainder), and its range checks must catch a bad value in any lane.
/// </summary>
public sealed class ChannelVectorMathTests
{
    public static TheoryData<int> Lengths => [0, 1, 3, 4, 7, 8, 9, 16, 17, 31, 64, 65, 257];

    [Theory]
    [MemberData(nameof(Lengths))]
    public void DivideIsTheScalarQuotient(int length)
    {
        var m2 = Values(length, seed: length);
        var quotient = new double[length];
        ChannelVectorMath.Divide(m2, 7, quotient);
        for (int c = 0; c < length; c++)
        {
            Assert.Equal(BitConverter.DoubleToInt64Bits(m2[c] / 7), BitConverter.DoubleToInt64Bits(quotient[c]));
        }
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void InverseStdIsTheScalarFormula(int length)
    {
        var m2 = Values(length, seed: length + 1);
        m2.AsSpan(0, Math.Min(2, length)).Clear(); // a zero variance, where epsilon alone decides
        var inverseStd = new double[length];
        ChannelVectorMath.InverseStd(m2, 13, 1e-3, inverseStd);
        for (int c = 0; c < length; c++)
        {
            double expected = 1 / Math.Sqrt((m2[c] / 13) + 1e-3);
            Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(inverseStd[c]));
        }
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void WithinFindsAnOutOfRangeValueInEveryLane(int length)
    {
        var values = Values(length, seed: 3);
        Assert.True(ChannelVectorMath.Within(values, 10));
        foreach (double bad in new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity, 10.000001, -11 })
        {
            for (int c = 0; c < length; c++)
            {
                var poisoned = (double[])values.Clone();
                poisoned[c] = bad;
                Assert.False(ChannelVectorMath.Within(poisoned, 10), $"{bad} at {c} of {length}");
            }
        }

        var edge = Enumerable.Repeat(-10.0, length).ToArray();
        Assert.True(ChannelVectorMath.Within(edge, 10));
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void AllFiniteFindsANonFiniteValueInEveryLane(int length)
    {
        var values = Array.ConvertAll(Values(length, seed: 4), v => (float)(v * 1e30));
        values.AsSpan(0, Math.Min(1, length)).Fill(float.MaxValue);
        Assert.True(ChannelVectorMath.AllFinite<float>(values));
        foreach (float bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
        {
            for (int c = 0; c < length; c++)
            {
                var poisoned = (float[])values.Clone();
                poisoned[c] = bad;
                Assert.False(ChannelVectorMath.AllFinite<float>(poisoned), $"{bad} at {c} of {length}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void NormalizeCoefficientsFilledInVectorsAreTheScalarOnes(int length)
    {
        var mean = Values(length, seed: 5).Select(v => v * 1000.123456789).ToArray();
        var inverseStd = Values(length, seed: 6).Select(v => Math.Abs(v) + 0.001).ToArray();
        var gamma = Array.ConvertAll(Values(length, seed: 7), v => (float)v);
        var beta = Array.ConvertAll(Values(length, seed: 8), v => (float)v);
        foreach (var (scaled, centered) in new[] { (true, true), (false, true), (true, false) })
        {
            var (high, scale, offset) = (new float[length], new float[length], new float[length]);
            NormalizeOperator<float>.Fill(high, scale, offset, mean, inverseStd, gamma, beta, scaled, centered);
            var (expectedHigh, expectedScale, expectedOffset) = (new float[length], new float[length], new float[length]);
            for (int c = 0; c < length; c++)
            {
                NormalizeOperator<float>.Set(
                    expectedHigh, expectedScale, expectedOffset, c, mean[c], (scaled ? gamma[c] : 1.0) * inverseStd[c], centered ? beta[c] : 0.0);
            }

            Assert.Equal(expectedHigh, high);
            Assert.Equal(expectedScale, scale);
            Assert.Equal(expectedOffset, offset);
        }
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void TheExponentialMovingAverageInVectorsIsTheScalarFormula(int length)
    {
        if (length == 0)
        {
            return;
        }

        var moving = Array.ConvertAll(Values(length, seed: 9), v => (float)v);
        var batch = Values(length, seed: 10);
        var state = BatchNormState<float>.Init(length) with { MovingMean = ReadOnlyVector.Create(moving) };
        var transition = new EmaTransition(ReadOnlyVector.Create(batch), ReadOnlyVector<double>.Filled(length, 1), 0.9, EmaAverage.Exponential);

        var next = transition.Apply(state);

        for (int c = 0; c < length; c++)
        {
            float expected = (float)((0.9 * moving[c]) + ((1 - 0.9) * batch[c]));
            Assert.Equal(BitConverter.SingleToInt32Bits(expected), BitConverter.SingleToInt32Bits(next.MovingMean[c]));
        }
    }

    private static double[] Values(int length, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, length).Select(_ => (random.NextDouble() * 20) - 10).ToArray();
    }
}
