using BnNative.Collections;
using BnNative.Kernels;
using BnNative.Normalization;
using BnNative.Tensors;

namespace BnNative.Tests.Normalization;

/// <summary>Outputs of 32 MB or more are written with streaming stores; they must hold exactly what ordinary stores write.</summary>
public sealed class StreamingStoreTests
{
    /// <summary>
    /// [2, 4, 1024, 1025] float32 = 33.6 MB: above the streaming threshold; channels first (runs of 1024·1025
    /// elements) and channels last (one flat stretch of rows of 4 channels).
    /// </summary>
    [Theory]
    [InlineData(DataFormat.ChannelsFirst)]
    [InlineData(DataFormat.ChannelsLast)]
    public void LargeOutputsMatchTheFormulaElementByElement(DataFormat format)
    {
        int[] lengths = format == DataFormat.ChannelsFirst ? [2, 4, 1024, 1025] : [2, 1024, 1025, 4];
        var x = Tensor<float>.Zeros(lengths);
        for (int i = 0; i < x.Data.Length; i++)
        {
            x.Data[i] = (i % 977) * 0.01f;
        }

        var state = BatchNormState<float>.Init(4) with
        {
            MovingMean = ReadOnlyVector.Create(1f, 2f, 3f, 4f),
            MovingVariance = ReadOnlyVector.Create(1f, 4f, 9f, 16f),
            Gamma = ReadOnlyVector.Create(2f, 3f, 4f, 5f),
            Beta = ReadOnlyVector.Create(-1f, 0f, 1f, 2f),
        };
        var config = new BatchNormConfig { DataFormat = format, Epsilon = 0 };
        Assert.True(x.Data.LongLength * sizeof(float) >= VectorStore.StreamingThresholdBytes);

        // Destinations starting at element 0, 4 and 8 of a buffer: at least one of them is 32-byte aligned (streamed),
        // at least one is not (ordinary stores).
        var buffer = new float[x.Data.Length + 8];
        int plane = 1024 * 1025;
        foreach (int start in new[] { 0, 4, 8 })
        {
            Array.Fill(buffer, float.NaN);
            var y = TensorView<float>.Create(buffer.AsMemory(start, x.Data.Length), lengths);
            BatchNorm.Infer(x.View, state, config, y);
            for (int i = 0; i < x.Data.Length; i++)
            {
                int c = format == DataFormat.ChannelsFirst ? i / plane % 4 : i % 4;
                float expected = ((x.Data[i] - state.MovingMean[c]) * (state.Gamma[c] / MathF.Sqrt(state.MovingVariance[c]))) + state.Beta[c];
                float actual = buffer[start + i];
                if (!(Math.Abs(actual - expected) <= 1e-5f * (1 + Math.Abs(expected))))
                {
                    Assert.Fail($"start {start}: y[{i}] = {actual}, expected {expected}.");
                }
            }
        }
    }
}
