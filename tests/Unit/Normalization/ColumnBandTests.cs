using BnNative.Normalization;
using BnNative.Tensors;
using BnNative.Tests.Core;

namespace BnNative.Tests.Normalization;

/// <summary>
/// The training backward over rows of 80–96 channels in cache walks column groups; chunks larger than 256 KB per view
/// go band by band (four rows, the last band shorter). Wider rows take the row walk with six vectors' coefficients held
/// in registers. Rows with gaps between them are walked one row at a time instead. All must give the same bits: the
/// operator is element-wise, only the order of the walk differs, and the moments read both layouts in the same order.
/// </summary>
public sealed class ColumnBandTests
{
    [Theory]
    [InlineData(3001, 96)]  // column groups in bands: chunks of about 560 KB per view, the last band shorter
    [InlineData(1500, 80)]  // a group of four vectors and one of one, in bands
    [InlineData(256, 96)]   // one chunk of 96 KB per view: whole columns
    [InlineData(1154, 512)] // the held row walk: chunks of 512, 512 and 130 rows
    [InlineData(256, 256)]
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
