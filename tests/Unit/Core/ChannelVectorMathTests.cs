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
    public void WithinThreeFindsAnOutOfRangeValueInEachSpanAndLane(int length)
    {
        // Three spans with limits 10, 100 and 1000 (each span's values within its own limit only).
        double[][] spans = [Values(length, seed: 4), Values(length, seed: 5).Select(v => v * 10).ToArray(), Values(length, seed: 6).Select(v => v * 100).ToArray()];
        double[] limits = [10, 100, 1000];
        Assert.True(Within(spans, limits));
        for (int which = 0; which < 3; which++)
        {
            foreach (double bad in new[] { double.NaN, double.PositiveInfinity, -limits[which] * 1.000001 })
            {
                for (int c = 0; c < length; c++)
                {
                    var poisoned = spans.Select(span => (double[])span.Clone()).ToArray();
                    poisoned[which][c] = bad;
                    Assert.False(Within(poisoned, limits), $"{bad} at {c} of span {which}, length {length}");
                }
            }
        }

        Assert.True(Within(limits.Select(limit => Enumerable.Repeat(-limit, length).ToArray()).ToArray(), limits));

        static bool Within(double[][] spans, double[] limits) =>
            ChannelVectorMath.Within(spans[0], limits[0], spans[1], limits[1], spans[2], limits[2]);
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

    [Theory]
    [MemberData(nameof(Lengths))]
    public void InputGradientCoefficientsFilledInVectorsAreTheScalarOnes(int length)
    {
        var mean = Values(length, seed: 11).Select(v => v * 1000.123456789).ToArray();
        var inverseStd = Values(length, seed: 12).Select(v => Math.Abs(v) + 0.001).ToArray();
        var gamma = Array.ConvertAll(Values(length, seed: 13), v => (float)v);
        var dot = Values(length, seed: 14);
        var sumDy = Values(length, seed: 15);
        if (length > 2)
        {
            (dot[1], sumDy[2]) = (-0.0, -0.0);
        }

        foreach (bool scaled in new[] { true, false })
        {
            var (high, p, q, offset) = (new float[length], new float[length], new float[length], new float[length]);
            var (gammaSum, betaSum) = (Values(length, seed: 16), Values(length, seed: 17));
            var (expectedGammaSum, expectedBetaSum) = ((double[])gammaSum.Clone(), (double[])betaSum.Clone());
            int first = InputGradientOperator<float>.FillPlain(high, p, q, offset, mean, inverseStd, gamma, scaled, dot, sumDy, 37, gammaSum, betaSum);
            var (expectedHigh, expectedP, expectedQ, expectedOffset) = (new float[length], new float[length], new float[length], new float[length]);
            for (int c = 0; c < length; c++)
            {
                // BatchNorm.BackwardChunk's scalar loop with r = 1 and no d.
                double invstd = inverseStd[c];
                double g = (scaled ? gamma[c] : 1.0) * 1;
                InputGradientOperator<float>.Set(
                    expectedHigh, expectedP, expectedQ, expectedOffset, c, mean[c], g * invstd, -g * invstd * invstd * invstd * dot[c] / 37, -g * invstd * sumDy[c] / 37);
                expectedGammaSum[c] += (1 * dot[c] * invstd) + 0;
                expectedBetaSum[c] += sumDy[c];
            }

            Assert.Equal(length - (length % System.Numerics.Vector<float>.Count), first);
            Assert.Equal(expectedHigh[..first], high[..first]);
            Assert.Equal(expectedP[..first], p[..first]);
            Assert.Equal(expectedQ[..first], q[..first]);
            Assert.Equal(expectedOffset[..first], offset[..first]);
            Assert.Equal(expectedGammaSum[..first].Select(BitConverter.DoubleToInt64Bits), gammaSum[..first].Select(BitConverter.DoubleToInt64Bits));
            Assert.Equal(expectedBetaSum[..first].Select(BitConverter.DoubleToInt64Bits), betaSum[..first].Select(BitConverter.DoubleToInt64Bits));
        }
    }

    /// <summary>
    /// The vectorized results of shifted-sum accumulators are the scalar ones, bit for bit, including groups the vector
    /// path must leave to the scalar form (an exact part, a different count) and NaN or negative-zero sums.
    /// </summary>
    [Theory]
    [MemberData(nameof(Lengths))]
    public void AccumulatorResultsInVectorsAreTheScalarOnes(int length)
    {
        var totals = new Moments.ChannelAccumulator[length];
        var shifts = Array.ConvertAll(Values(length, seed: 18), v => (float)(v * 100));
        var sums = Values(length, seed: 19);
        var squares = Values(length, seed: 20).Select(v => (v * v) + 50).ToArray();
        for (int c = 0; c < length; c++)
        {
            long count = c == 5 ? 12 : 11;
            double sum = c == 9 ? double.NaN : c == 10 ? -0.0 : sums[c];
            totals[c].AddSums(count, sum, squares[c]);
            if (c == 13)
            {
                totals[c].AddExact(4, 2.5, 1.25);
            }
        }

        var (mean, m2) = (new double[length], new double[length]);
        Moments.ChannelAccumulator.Results<float>(totals, shifts, mean, m2);

        for (int c = 0; c < length; c++)
        {
            var (expectedMean, expectedM2) = totals[c].Result(shifts[c]);
            Assert.Equal(BitConverter.DoubleToInt64Bits(expectedMean), BitConverter.DoubleToInt64Bits(mean[c]));
            Assert.Equal(BitConverter.DoubleToInt64Bits(expectedM2), BitConverter.DoubleToInt64Bits(m2[c]));
        }
    }

    /// <summary>Both forms of the results refuse shifts or outputs shorter than the channels (they write through references).</summary>
    [Fact]
    public void ResultsRefuseSpansShorterThanTheChannels()
    {
        var totals = new Moments.ChannelAccumulator[8];
        var sums = new double[8];
        Assert.Equal("shifts", Assert.Throws<ArgumentException>(() => Moments.ChannelAccumulator.Results<float>(totals, new float[7], new double[8], new double[8])).ParamName);
        Assert.Equal("mean", Assert.Throws<ArgumentException>(() => Moments.ChannelAccumulator.Results<float>(totals, new float[8], new double[7], new double[8])).ParamName);
        Assert.Equal("m2", Assert.Throws<ArgumentException>(() => Moments.ChannelAccumulator.Results<float>(totals, new float[8], new double[8], new double[7])).ParamName);
        Assert.Equal("squares", Assert.Throws<ArgumentException>(() => Moments.ChannelAccumulator.Results<float>(3, sums, new double[7], new float[8], new double[8], new double[8])).ParamName);
        Assert.Equal("mean", Assert.Throws<ArgumentException>(() => Moments.ChannelAccumulator.Results<float>(3, sums, sums, new float[8], new double[7], new double[8])).ParamName);
    }

    private static double[] Values(int length, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, length).Select(_ => (random.NextDouble() * 20) - 10).ToArray();
    }
}
