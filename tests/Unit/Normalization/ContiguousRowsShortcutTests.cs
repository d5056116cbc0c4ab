using BnNative.Normalization;
using BnNative.Tensors;
using BnNative.Tests.Core;

namespace BnNative.Tests.Normalization;

/// <summary>
/// Element passes over contiguous rows of channels that make one chunk skip the layout analysis and the dispatch and
/// go straight to the row loop; the same rows read through a padded (non-contiguous) view take the general walker,
/// one row at a time. Both must give the same bits: inference, and the inference backward's dx (which depends only
/// on dy and the per-channel scale).
/// </summary>
public sealed class ContiguousRowsShortcutTests
{
    [Theory]
    [InlineData(1, 8)]
    [InlineData(5, 16)]
    [InlineData(33, 24)]
    [InlineData(32, 64)]
    [InlineData(7, 100)]
    [InlineData(64, 48)]
    public void ContiguousAndPaddedRowsGiveTheSameBits(int rows, int channels)
    {
        var random = new Random((rows * 1000) + channels);
        var values = Enumerable.Range(0, rows * channels).Select(_ => (float)((random.NextDouble() * 8) - 3)).ToArray();
        var gradient = Enumerable.Range(0, rows * channels).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var state = BatchNormState<float>.Init(channels) with
        {
            MovingMean = Collections.ReadOnlyVector.Create(Enumerable.Range(0, channels).Select(c => (float)(c * 0.1)).ToArray()),
            MovingVariance = Collections.ReadOnlyVector.Create(Enumerable.Range(0, channels).Select(c => 0.5f + c).ToArray()),
            Gamma = Collections.ReadOnlyVector.Create(Enumerable.Range(0, channels).Select(c => 1.5f - (c * 0.01f)).ToArray()),
        };
        var config = new BatchNormConfig { Threads = 1 };

        var x = TensorView<float>.Create(values, rows, channels);
        var dy = TensorView<float>.Create(gradient, rows, channels);
        var paddedX = TestTensors.PaddedRows(values, rows, channels, gap: 3);
        var paddedDy = TestTensors.PaddedRows(gradient, rows, channels, gap: 3);
        Assert.True(x.Shape.IsRowMajorContiguous);
        Assert.Equal(rows == 1, paddedX.Shape.IsRowMajorContiguous); // one row is contiguous either way

        Assert.Equal(Bits(BatchNorm.Infer(paddedX, state, config).Data), Bits(BatchNorm.Infer(x, state, config).Data));
        Assert.Equal(
            Bits(BatchNorm.BackwardInference(paddedDy, paddedX, state, config).InputGradient.ToArray()),
            Bits(BatchNorm.BackwardInference(dy, x, state, config).InputGradient.ToArray()));
    }

    private static int[] Bits(float[] values) => Array.ConvertAll(values, BitConverter.SingleToInt32Bits);
}
