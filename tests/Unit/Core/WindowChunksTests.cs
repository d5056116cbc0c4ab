using BnNative.Kernels;
using BnNative.Moments;
using BnNative.Normalization;
using BnNative.Tensors;

namespace BnNative.Tests.Core;

/// <summary>
/// A tensor of rows of channels whose every chunk is one check window (at most 512 rows) keeps each chunk's double
/// sums, adds them in chunk order and turns them into results directly (<see cref="ChannelSums.TryWindowChunks"/>),
/// without the per-channel accumulators. The moments and the backward pass's sums must be the accumulator path's bits
/// on every kind of row walk, in float and double, on one thread and on two, and a window that cancels must still be
/// recomputed exactly.
/// </summary>
public sealed class WindowChunksTests
{
    public static TheoryData<int, int> Shapes => new()
    {
        { 256, 256 }, // sixteen vectors held in registers
        { 8, 256 },
        { 512, 128 }, // 512 rows: the longest window, eight fold blocks
        { 100, 80 },  // a cycle too long to be flat: column groups
        { 300, 200 }, // not a multiple of sixteen floats: groups of the platform width
        { 65, 64 },   // flat, one row past the short path
        { 40, 37 },   // rows in memory order through the L1 buffer
        { 64, 1024 }, // 64 groups of sixteen vectors
        { 513, 16 },  // one chunk, one row past a window: the accumulators on both sides
        { 300, 256 }, // two chunks of 256 and 44 rows
        { 1024, 512 }, // two chunks of 512 rows, each sixteen vectors twice
        { 1100, 512 }, // three chunks, the last of 76 rows
        { 2048, 256 }, // one chunk of 1024 rows: the accumulators
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void FloatMomentsGiveTheBitsOfTheAccumulators(int rows, int channels)
    {
        var x = TestTensors.Random((rows * 7) + channels, rows, channels);
        MomentsAssert.SameBitsAsAccumulators(x);
        MomentsAssert.SameBitsAsAccumulators(x, threads: 2);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void DoubleMomentsGiveTheBitsOfTheAccumulators(int rows, int channels)
    {
        var x = MomentsAssert.FarDoubles(rows + (channels * 3), rows, channels);
        MomentsAssert.SameBitsAsAccumulators(x);
        MomentsAssert.SameBitsAsAccumulators(x, threads: 2);
    }

    [Fact]
    public void AViewIntoALargerBufferStartsAtItsOffset()
    {
        // Rows 3..202 of a [210, 256] tensor: contiguous, one window, not at the buffer's start (nor on a 64-byte line).
        var whole = TestTensors.Random(17, 210, 256);
        MomentsAssert.SameBitsAsAccumulators(whole.Slice(0, 3, 200));
        var copy = TensorView<float>.Create(whole.Slice(0, 3, 200).ToArray(), 200, 256);
        Assert.Equal(MomentsBackend.Simd.Compute(copy, 1), MomentsBackend.Simd.Compute(whole.Slice(0, 3, 200), 1));
    }

    [Fact]
    public void StridedRowsOfSeveralChunksGiveTheBitsOfAContiguousCopy()
    {
        // Channels 4..515 of a [1100, 520] buffer: rows of 512 floats 520 apart, three chunks of at most 512 rows. The
        // chunks walk the strided rows from their own first row; the sums must be those of the accumulators and of a
        // contiguous copy, on one thread and on two.
        var whole = TestTensors.Random(23, 1100, 520);
        var strided = whole.Slice(1, 4, 512);
        MomentsAssert.SameBitsAsAccumulators(strided);
        MomentsAssert.SameBitsAsAccumulators(strided, threads: 2);
        var copy = TensorView<float>.Create(strided.ToArray(), 1100, 512);
        Assert.Equal(MomentsBackend.Simd.Compute(copy, 1), MomentsBackend.Simd.Compute(strided, 1, threads: 2));

        var dy = TestTensors.Random(29, 1100, 512);
        var mean = Enumerable.Range(0, 512).Select(c => 0.5 + (c * 1e-4)).ToArray();
        GradientSumsAssert.SameBitsAsAccumulators(strided, dy, mean, threads: 2);
    }

    [Fact]
    public void ABlockThatCancelsIsRecomputedExactly()
    {
        // 256 rows: the shift samples rows 0, 63, 127, 191 and 255. Those hold 0 in channel 70, so its shift is 0, while
        // the other 251 rows hold about 1000: the block fails the cancellation test, the window hands the tensor to the
        // accumulators, and they recompute that channel in double.
        MomentsAssert.CancellingChannelIsExact(9, rows: 256, channels: 256, channel: 70, 0, 63, 127, 191, 255);
    }

    [Fact]
    public void AChunkThatCancelsIsRecomputedExactly()
    {
        // Two chunks of 512 rows; channel 70 holds 0 in the first and about 1000 in the second. Whichever way the shift's
        // median falls, one chunk's sums cancel: the chunks hand the tensor to the accumulators, which recompute that
        // window in double.
        MomentsAssert.CancellingChannelIsExact(11, rows: 1024, channels: 512, channel: 70, Enumerable.Range(0, 512).ToArray());
    }

    [Theory]
    [InlineData(256, 256)]
    [InlineData(1024, 512)]
    [InlineData(40, 64)] // the short path
    [InlineData(30, 37)]
    public void GradientSumsAroundMeansFarFromFloatGiveTheBitsOfTheAccumulators(int rows, int channels)
    {
        // Means near 10⁶ that float cannot hold (m_hi, the mean rounded to float, is up to 1/32 off) and x within a few
        // float steps of them: Σ(x − m_hi)·dy is then of the size of the correction (mean − m_hi)·Σdy, so computing the
        // correction with any other rounding (a fused multiply-add, say) shows in the bits.
        var mean = Enumerable.Range(0, channels).Select(c => 1e6 + (c * 0.37) + 0.011).ToArray();
        var random = new Random(rows + channels);
        var xs = new float[rows * channels];
        for (int k = 0; k < xs.Length; k++)
        {
            xs[k] = (float)(mean[k % channels] + ((random.NextDouble() - 0.5) * 0.5));
        }

        var x = TensorView<float>.Create(xs, rows, channels);
        var dy = TestTensors.Random(channels + 6, rows, channels);
        GradientSumsAssert.SameBitsAsAccumulators(x, dy, mean);
        GradientSumsAssert.SameBitsAsAccumulators(x, dy, mean, threads: 2);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void GradientSumsGiveTheBitsOfTheAccumulators(int rows, int channels)
    {
        var x = TestTensors.Random(rows + (17 * channels), rows, channels);
        var dy = TestTensors.Random((rows * channels) + 1, rows, channels);
        var mean = Enumerable.Range(0, channels).Select(c => 0.9 + (c * 1e-3) + 1e-9).ToArray();
        var windowDy = GradientSumsAssert.SameBitsAsAccumulators(x, dy, mean);
        GradientSumsAssert.SameBitsAsAccumulators(x, dy, mean, threads: 2);

        // And Σdy in double, to float rounding: the window sums what it should.
        for (int c = 0; c < channels; c++)
        {
            double expected = 0.25;
            for (int r = 0; r < rows; r++)
            {
                expected += dy.Memory.Span[(r * channels) + c];
            }

            Assert.Equal(expected, windowDy[c], 1e-4 * (1 + Math.Abs(expected)));
        }
    }
}
