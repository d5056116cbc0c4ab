using BnNative.Moments;
using BnNative.Tensors;

namespace BnNative.Tests.Core;

/// <summary>
/// At most 64 contiguous rows of channels whose cycle fits eight vectors (a [32, 64] batch) take a short path around the
/// same summation loop, without the layout, plan and accumulator slots of the general one. It must give the general
/// path's bits exactly (so nothing else changes with it), hand blocks that need the exact recomputation back to it,
/// and agree with double-precision sums.
/// </summary>
public sealed class ShortRowsMomentsTests
{
    public static TheoryData<int, int> Shapes => new()
    {
        { 32, 64 },
        { 1, 64 },
        { 2, 1 },
        { 64, 16 },
        { 64, 8 },
        { 7, 3 },    // a cycle of three vectors over three rows
        { 33, 5 },   // a cycle of five vectors, a remainder after the last period
        { 17, 24 },
        { 63, 40 },  // forty channels: a cycle of five vectors
        { 64, 64 },  // the longest block
        { 65, 64 },  // one row too many: the general path (two blocks)
        { 10, 13 },  // a cycle of thirteen vectors: not flat, the general path
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void FloatGivesTheBitsOfTheGeneralPath(int rows, int channels)
    {
        var x = TestTensors.Random(rows * 31 + channels, rows, channels);
        AssertSameAsGeneral(x);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void DoubleGivesTheBitsOfTheGeneralPath(int rows, int channels)
    {
        var random = new Random(rows + (channels * 7));
        var data = new double[rows * channels];
        for (int k = 0; k < data.Length; k++)
        {
            data[k] = 1e4 + (random.NextDouble() * 3);
        }

        AssertSameAsGeneral(TensorView<double>.Create(data, rows, channels));
    }

    [Fact]
    public void AViewIntoALargerBufferStartsAtItsOffset()
    {
        // Rows 8..39 of a [48, 64] tensor: contiguous, but not at the buffer's start.
        var whole = TestTensors.Random(3, 48, 64);
        var x = whole.Slice(0, 8, 32);

        AssertSameAsGeneral(x);
        var copy = TensorView<float>.Create(x.ToArray(), 32, 64);
        Assert.Equal(MomentsBackend.Simd.Compute(copy, 1), MomentsBackend.Simd.Compute(x, 1));
    }

    [Fact]
    public void FarFromZeroAgreesWithDoubleSums()
    {
        const int rows = 40;
        const int channels = 24;
        var random = new Random(11);
        var values = new float[rows * channels];
        for (int k = 0; k < values.Length; k++)
        {
            values[k] = 9999f + (random.NextSingle() * 2);
        }

        var moments = MomentsBackend.Simd.Compute(TensorView<float>.Create(values, rows, channels), 1);

        var (mean, m2) = MomentsAssert.RowReference(Array.ConvertAll(values, v => (double)v), rows, channels);
        for (int c = 0; c < channels; c++)
        {
            Assert.Equal(mean[c], moments.Mean[c], 1e-9 * Math.Abs(mean[c]));
            Assert.True(Math.Abs(moments.M2[c] - m2[c]) <= 1e-4 * m2[c], $"M2 of channel {c}: {moments.M2[c]:R} against {m2[c]:R}");
        }
    }

    [Fact]
    public void ABlockThatCancelsIsRecomputedExactly()
    {
        // 64 rows: the shift samples rows 0, 15, 31, 47 and 63. Rows 0, 15 and 31 hold 0 in channel 2, so its shift is 0,
        // while the other 61 rows hold about 1000: S1² / (n·S2) ≈ 61/64 exceeds the accepted 15/16, and the block is
        // refused; the short path hands it to the general one, which recomputes it in double.
        const int rows = 64;
        const int channels = 8;
        var random = new Random(5);
        var values = new float[rows * channels];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < channels; c++)
            {
                values[(r * channels) + c] = c == 2 && r is 0 or 15 or 31 ? 0f : 1000f + random.NextSingle();
            }
        }

        var x = TensorView<float>.Create(values, rows, channels);
        AssertSameAsGeneral(x);

        var moments = MomentsBackend.Simd.Compute(x, 1);
        var (mean, m2) = MomentsAssert.RowReference(Array.ConvertAll(values, v => (double)v), rows, channels);
        Assert.Equal(mean[2], moments.Mean[2], 1e-9 * mean[2]);
        Assert.Equal(m2[2], moments.M2[2], 1e-9 * m2[2]);
    }

    [Fact]
    public void NonFiniteInputGivesTheGeneralPathsResult()
    {
        var x = TestTensors.Random(8, 16, 32);
        x.Memory.Span[5] = float.NaN;
        x.Memory.Span[40] = float.PositiveInfinity;

        AssertSameAsGeneral(x);
    }

    private static void AssertSameAsGeneral<T>(TensorView<T> x)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        int channels = x.Lengths[1];
        var shortMean = new double[channels];
        var shortM2 = new double[channels];
        var generalMean = new double[channels];
        var generalM2 = new double[channels];

        long count = MomentsBackend.Simd.ComputeInto(x, 1, 1, shortMean, shortM2);
        long generalCount = ((ShiftedSumsBackend)MomentsBackend.Simd).ComputeWithSlots(x, 1, 1, generalMean, generalM2);

        Assert.Equal(generalCount, count);
        for (int c = 0; c < channels; c++)
        {
            Assert.True(
                BitConverter.DoubleToInt64Bits(generalMean[c]) == BitConverter.DoubleToInt64Bits(shortMean[c])
                && BitConverter.DoubleToInt64Bits(generalM2[c]) == BitConverter.DoubleToInt64Bits(shortM2[c]),
                $"channel {c}: mean {shortMean[c]:R} / {generalMean[c]:R}, M2 {shortM2[c]:R} / {generalM2[c]:R} (short / general)");
        }
    }
}
