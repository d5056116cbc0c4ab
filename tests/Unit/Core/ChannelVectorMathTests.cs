using BnNative.Kernels;

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

    private static double[] Values(int length, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, length).Select(_ => (random.NextDouble() * 20) - 10).ToArray();
    }
}
