using BnNative.Normalization;
using BnNative.Tensors;
using BnNative.Tests.Core;

namespace BnNative.Tests.Normalization;

/// <summary>
/// The training backward over rows of more than 64 channels in cache walks column groups; chunks larger than 256 KB
/// per view go band by band (four rows, the last band shorter). Rows with gaps between them are walked one row at a
/// time instead. Both must give the same bits: the operator is element-wise, only the order of the walk differs, and
/// the moments read both layouts in the same order.
/// </summary>
public sealed class ColumnBandTests
{
    [Theory]
    [InlineData(1154, 512)] // chunks of 512, 512 and 130 rows: 1 MB, 1 MB and 260 KB per view, the last band 2 rows
    [InlineData(256, 256)]  // one chunk of 256 KB per view: whole columns
    [InlineData(700, 128)]
    public void BandsGiveTheBitsOfTheRowByRowWalk(int rows, int channels)
    {
        var random = new Random(rows + channels);
        var values = Enumerable.Range(0, rows * channels).Select(_ => (float)((random.NextDouble() * 4) - 1)).ToArray();
        var gradient = Enumerable.Range(0, rows * channels).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var config = new BatchNormConfig { Threads = 2 };
        var state = BatchNormState<float>.Init(channels, config);

        var contiguous = Run(TensorView<float>.Create(values, rows, channels), TensorView<float>.Create(gradient, rows, channels), state, config);
        var padded = Run(TestTensors.PaddedRows(values, rows, channels, gap: 8), TestTensors.PaddedRows(gradient, rows, channels, gap: 8), state, config);

        Assert.Equal(contiguous.Y, padded.Y);
        Assert.Equal(contiguous.Dx, padded.Dx);
    }

    private static (int[] Y, int[] Dx) Run(TensorView<float> x, TensorView<float> dy, BatchNormState<float> state, BatchNormConfig config)
    {
        var train = BatchNorm.Train(x, state, config);
        var dx = BatchNorm.Backward(dy, train).InputGradient;
        return (Bits(train.Output.ToArray()), Bits(dx.ToArray()));
    }

    private static int[] Bits(float[] values) => Array.ConvertAll(values, BitConverter.SingleToInt32Bits);
}
