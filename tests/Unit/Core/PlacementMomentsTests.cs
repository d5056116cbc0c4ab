using BnNative.Moments;
using BnNative.Normalization;
using BnNative.Tensors;

namespace BnNative.Tests.Core;

/// <summary>
/// Results do not depend on where a tensor's data lies: rows whose start is off a 64-byte line take an aligned
/// column walk (the groups shifted to start on lines, one vector per row spanning two rows), which must sum every
/// channel in the same order as the walk over rows that start on a line, bit for bit. Sixteen placements of the same
/// values (one of every float offset within a line) cover both walks. The moments hold groups of sixteen or fifteen
/// vectors in registers where a row has that many (<c>HeldGroup</c>) and walk groups of eight otherwise, so the shifted
/// groups of 240 and 496 channels compare the two loops with each other.
/// </summary>
public sealed class PlacementMomentsTests
{
    public static TheoryData<int, int> Shapes => new()
    {
        { 1, 144 },
        { 3, 256 },
        { 65, 144 },   // nine vectors: the shifted groups are one of eight and none of one, plus the wrapped vector
        { 130, 512 },
        { 64, 1040 },
        { 8256, 272 }, // beyond 8 MB: from memory, the next band prefetched
        { 200, 240 },  // fifteen vectors: one held group on a line, groups of eight and six off it
        { 70, 496 },   // 31 vectors: held groups of sixteen and fifteen on a line, sixteen and 8 + 6 off it
        { 9000, 256 }, // from memory: a held group of sixteen is a whole row on a line, fifteen and the wrapped vector off it
        { 15000, 144 }, // from memory: a held group of nine on a line, a group of eight off it
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void MomentsAreTheSameWhereverTheRowsStart(int rows, int channels)
    {
        var values = Values(rows * channels, seed: rows + channels);
        BatchMoments? first = null;
        for (int offset = 0; offset < 16; offset++)
        {
            var moments = MomentsBackend.Simd.Compute(Placed(values, offset, rows, channels), 1, threads: 2);
            first ??= moments;
            AssertBits(first.Mean, moments.Mean, offset, "mean");
            AssertBits(first.M2, moments.M2, offset, "M2");
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void DoubleMomentsAreTheSameWhereverTheRowsStart(int rows, int channels)
    {
        var values = Array.ConvertAll(Values(rows * channels, seed: rows * channels), v => (double)v + 1e3);
        BatchMoments? first = null;
        for (int offset = 0; offset < 8; offset++)
        {
            var buffer = new double[values.Length + 8];
            values.CopyTo(buffer, offset);
            var moments = MomentsBackend.Simd.Compute(TensorView<double>.Create(new Memory<double>(buffer, offset, values.Length), rows, channels), 1, threads: 1);
            first ??= moments;
            AssertBits(first.Mean, moments.Mean, offset, "mean");
            AssertBits(first.M2, moments.M2, offset, "M2");
        }
    }

    /// <summary>
    /// The backward pass's sums read x and dy: the same whether both, one or neither start on a line. From memory
    /// (8800 rows of 240 channels, 8.4 MB per view) rows on a line take one held pair group of fifteen vectors and rows
    /// both off a line groups of eight and six.
    /// </summary>
    [Theory]
    [InlineData(65, 144)]
    [InlineData(130, 512)]
    [InlineData(200, 240)]
    [InlineData(8800, 240)]
    public void GradientsAreTheSameWhereverTheRowsStart(int rows, int channels)
    {
        var x = Values(rows * channels, seed: 7);
        var dy = Values(rows * channels, seed: 8);
        float[]? expected = null;
        foreach (var (xOffset, dyOffset) in new[] { (0, 0), (4, 4), (3, 3), (4, 0), (0, 5), (15, 1) })
        {
            var (xView, dyView) = PlacedPair(x, dy, xOffset, dyOffset, rows, channels);
            var step = BatchNorm.Train(xView, BatchNormState<float>.Init(channels), new BatchNormConfig { Axis = 1 });
            var gradients = BatchNorm.Backward(dyView, step);
            var dx = Tensor<float>.CopyOf(gradients.InputGradient).Data;
            var all = dx.Concat(gradients.GammaGradient!.ToArray()).Concat(gradients.BetaGradient!.ToArray()).ToArray();
            expected ??= all;
            Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), all.Select(BitConverter.SingleToInt32Bits));
        }
    }

    private static TensorView<float> Placed(float[] values, int offset, int rows, int channels)
    {
        var buffer = new float[values.Length + 16];
        values.CopyTo(buffer, offset);
        return TensorView<float>.Create(new Memory<float>(buffer, offset, values.Length), rows, channels);
    }

    /// <summary>
    /// x and dy in one pinned buffer, each <paramref name="xOffset"/> or <paramref name="dyOffset"/> floats past a
    /// 64-byte line (two arrays of their own would start wherever the GC puts them, so equal offsets would not mean
    /// equal placement).
    /// </summary>
    private static unsafe (TensorView<float> X, TensorView<float> Dy) PlacedPair(float[] x, float[] dy, int xOffset, int dyOffset, int rows, int channels)
    {
        int span = (x.Length + 31) / 16 * 16;
        var buffer = GC.AllocateArray<float>((2 * span) + 16, pinned: true);
        int line;
        fixed (float* start = buffer)
        {
            line = (int)((64 - ((nint)start % 64)) % 64) / sizeof(float);
        }

        x.CopyTo(buffer, line + xOffset);
        dy.CopyTo(buffer, line + span + dyOffset);
        return (
            TensorView<float>.Create(new Memory<float>(buffer, line + xOffset, x.Length), rows, channels),
            TensorView<float>.Create(new Memory<float>(buffer, line + span + dyOffset, dy.Length), rows, channels));
    }

    private static float[] Values(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(i => (float)((random.NextDouble() * 4) - 1 + (i % 3 == 0 ? 200 : 0))).ToArray();
    }

    private static void AssertBits(Collections.ReadOnlyVector<double> expected, Collections.ReadOnlyVector<double> actual, int offset, string what)
    {
        for (int c = 0; c < expected.Length; c++)
        {
            Assert.True(
                BitConverter.DoubleToInt64Bits(expected[c]) == BitConverter.DoubleToInt64Bits(actual[c]),
                $"{what}[{c}] at offset {offset}: {actual[c]:R}, at offset 0: {expected[c]:R}");
        }
    }
}
