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
        MomentsAssert.SameBitsAsAccumulators(x);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void DoubleGivesTheBitsOfTheGeneralPath(int rows, int channels)
    {
        MomentsAssert.SameBitsAsAccumulators(MomentsAssert.FarDoubles(rows + (channels * 7), rows, channels));
    }

    [Fact]
    public void AViewIntoALargerBufferStartsAtItsOffset()
    {
        // Rows 8..39 of a [48, 64] tensor: contiguous, but not at the buffer's start.
        var whole = TestTensors.Random(3, 48, 64);
        var x = whole.Slice(0, 8, 32);

        MomentsAssert.SameBitsAsAccumulators(x);
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
        MomentsAssert.CancellingChannelIsExact(5, rows: 64, channels: 8, channel: 2, 0, 15, 31);
    }

    [Fact]
    public void NonFiniteInputGivesTheGeneralPathsResult()
    {
        var x = TestTensors.Random(8, 16, 32);
        x.Memory.Span[5] = float.NaN;
        x.Memory.Span[40] = float.PositiveInfinity;

        MomentsAssert.SameBitsAsAccumulators(x);
    }
}
