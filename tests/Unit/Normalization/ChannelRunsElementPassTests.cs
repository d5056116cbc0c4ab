using BnNative.Collections;
using BnNative.Normalization;
using BnNative.Tensors;

namespace BnNative.Tests.Normalization;

/// <summary>
/// Element passes over channels-outer tensors (NCHW) walk consecutive channels' runs back to back, a vector that
/// straddles two runs blended by lane (512-bit vectors for runs of 16 floats or more where the hardware has them).
/// With the statistics fixed (inference and its backward), every element's result depends on its value and channel
/// only, so NCHW must give the bits of the same data laid out NHWC (rows of channels), for every run length around
/// the vector widths.
/// </summary>
public sealed class ChannelRunsElementPassTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(31)]
    [InlineData(49)]
    [InlineData(196)]
    public void ChannelsFirstRunsGiveTheBitsOfChannelsLastRows(int inner)
    {
        const int batch = 3;
        const int channels = 5;
        var random = new Random(inner);
        var nchw = Enumerable.Range(0, batch * channels * inner).Select(_ => (float)((random.NextDouble() * 6) - 2)).ToArray();
        var nhwc = new float[nchw.Length];
        for (int n = 0; n < batch; n++)
        {
            for (int c = 0; c < channels; c++)
            {
                for (int i = 0; i < inner; i++)
                {
                    nhwc[(((n * inner) + i) * channels) + c] = nchw[(((n * channels) + c) * inner) + i];
                }
            }
        }

        var state = BatchNormState<float>.Init(channels) with
        {
            MovingMean = ReadOnlyVector.Create(0.5f, -1f, 2f, 0.25f, 3f),
            MovingVariance = ReadOnlyVector.Create(1f, 4f, 0.5f, 9f, 2f),
            Gamma = ReadOnlyVector.Create(1.5f, -2f, 0.75f, 1f, 3f),
            Beta = ReadOnlyVector.Create(0f, 1f, -1f, 0.5f, 2f),
        };
        var first = new BatchNormConfig { Axis = 1 };
        var last = new BatchNormConfig { Axis = 2 };
        var x1 = TensorView<float>.Create(nchw, batch, channels, inner);
        var x2 = TensorView<float>.Create(nhwc, batch, inner, channels);

        var y1 = BatchNorm.Infer(x1, state, first).Data;
        var y2 = BatchNorm.Infer(x2, state, last).Data;
        var dx1 = BatchNorm.BackwardInference(x1, x1, state, first).InputGradient.ToArray();
        var dx2 = BatchNorm.BackwardInference(x2, x2, state, last).InputGradient.ToArray();

        for (int n = 0; n < batch; n++)
        {
            for (int c = 0; c < channels; c++)
            {
                for (int i = 0; i < inner; i++)
                {
                    int k1 = (((n * channels) + c) * inner) + i;
                    int k2 = (((n * inner) + i) * channels) + c;
                    Assert.True(BitConverter.SingleToInt32Bits(y1[k1]) == BitConverter.SingleToInt32Bits(y2[k2]), $"y at n={n} c={c} i={i}: {y1[k1]} against {y2[k2]}");
                    Assert.True(BitConverter.SingleToInt32Bits(dx1[k1]) == BitConverter.SingleToInt32Bits(dx2[k2]), $"dx at n={n} c={c} i={i}");
                }
            }
        }
    }
}
