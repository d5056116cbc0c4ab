using BnNative.Collections;
using BnNative.Kernels;
using BnNative.Normalization;
using BnNative.Tensors;

namespace BnNative.Tests.Normalization;

/// <summary>Outputs of 32 MB or more are written with streaming stores; they must hold exactly what ordinary stores write.</summary>
public sealed class StreamingStoreTests
{
    /// <summary>
    /// About 33.6 MB of float32: above the streaming threshold. Channels first (runs of 1024·1025 elements); channels
    /// last with 4 channels (a flat stretch whose phase wraps per vector), 16, 48 and 64 (rows of one column group of
    /// 512-bit vectors, the coefficients held in registers), 24 (whole rows of <see cref="System.Numerics.Vector{T}"/>)
    /// and 256, where a misaligned destination starts with a few scalar elements and then streams rows shifted by that
    /// phase, in memory order (inference is a pass on its own; the training forward's column groups after its sums are
    /// checked with the backward pass below).
    /// </summary>
    [Theory]
    [InlineData(DataFormat.ChannelsFirst, 4)]
    [InlineData(DataFormat.ChannelsLast, 4)]
    [InlineData(DataFormat.ChannelsLast, 16)]
    [InlineData(DataFormat.ChannelsLast, 24)]
    [InlineData(DataFormat.ChannelsLast, 48)] // rows of one column group (three 512-bit vectors), coefficients in registers
    [InlineData(DataFormat.ChannelsLast, 64)]
    [InlineData(DataFormat.ChannelsLast, 256)] // rows in memory order, shifted by the phase
    public void LargeOutputsMatchTheFormulaElementByElement(DataFormat format, int channels)
    {
        int[] lengths = format == DataFormat.ChannelsFirst ? [2, channels, 1024, 1025] : [1, (8 * 1024 / channels) + 1, 1025, channels];
        var x = Tensor<float>.Zeros(lengths);
        for (int i = 0; i < x.Data.Length; i++)
        {
            x.Data[i] = (i % 977) * 0.01f;
        }

        var state = BatchNormState<float>.Init(channels) with
        {
            MovingMean = ReadOnlyVector.Create(Enumerable.Range(1, channels).Select(c => (float)c).ToArray()),
            MovingVariance = ReadOnlyVector.Create(Enumerable.Range(1, channels).Select(c => (float)(c * c)).ToArray()),
            Gamma = ReadOnlyVector.Create(Enumerable.Range(2, channels).Select(c => (float)c).ToArray()),
            Beta = ReadOnlyVector.Create(Enumerable.Range(-1, channels).Select(c => (float)c).ToArray()),
        };
        var config = new BatchNormConfig { DataFormat = format, Epsilon = 0 };
        Assert.True(x.Data.LongLength * sizeof(float) >= VectorStore.StreamingThresholdBytes);

        // Destinations starting at elements 0, 3, 4, 8 and 13 of a buffer: some 32- or 64-byte aligned, others not.
        var buffer = new float[x.Data.Length + 16];
        int plane = 1024 * 1025;
        foreach (int start in new[] { 0, 3, 4, 8, 13 })
        {
            Array.Fill(buffer, float.NaN);
            var y = TensorView<float>.Create(buffer.AsMemory(start, x.Data.Length), lengths);
            BatchNorm.Infer(x.View, state, config, y);
            for (int i = 0; i < x.Data.Length; i++)
            {
                int c = format == DataFormat.ChannelsFirst ? i / plane % channels : i % channels;
                float expected = ((x.Data[i] - state.MovingMean[c]) * (state.Gamma[c] / MathF.Sqrt(state.MovingVariance[c]))) + state.Beta[c];
                float actual = buffer[start + i];
                if (!(Math.Abs(actual - expected) <= 1e-5f * (1 + Math.Abs(expected))))
                {
                    Assert.Fail($"start {start}: y[{i}] = {actual}, expected {expected}.");
                }
            }
        }
    }

    /// <summary>
    /// The training backward (two inputs, four coefficients) into 34 MB of rows, streamed in column groups of 64
    /// channels (one group per row; four; a group of four vectors and one of one), band by band: the same bits whether
    /// dx is contiguous (one stretch from a 64-byte line) or rows with gaps (each row streamed from its own misaligned
    /// start), and the closed form dx = γ·σ⁻¹·(dy − mean(dy) − x̂·mean(dy·x̂)) in double at sampled elements. The training
    /// step's own output, streamed in column groups after its sums, must be x̂ there.
    /// </summary>
    [Theory]
    [InlineData(64)]
    [InlineData(256)]
    [InlineData(80)]
    public void LargeBackwardOutputsInColumnGroupsMatchTheClosedForm(int channels)
    {
        int rows = (8 * 1024 * 1025 / channels) + 1;
        var random = new Random(3);
        var values = Enumerable.Range(0, rows * channels).Select(_ => (float)((random.NextDouble() * 4) - 1)).ToArray();
        var gradient = Enumerable.Range(0, rows * channels).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var x = TensorView<float>.Create(values, rows, channels);
        var dy = TensorView<float>.Create(gradient, rows, channels);
        var config = new BatchNormConfig();
        var train = BatchNorm.Train(x, BatchNormState<float>.Init(channels, config), config);
        Assert.True((long)values.Length * sizeof(float) >= VectorStore.StreamingThresholdBytes);

        var contiguous = BatchNorm.Backward(dy, train).InputGradient.ToArray();
        var gaps = Tests.Core.TestTensors.PaddedRows(new float[values.Length], rows, channels, gap: 3);
        BatchNorm.Backward(dy, train, gaps);
        Assert.True(contiguous.AsSpan().SequenceEqual(gaps.ToArray()), "dx differs between contiguous rows and rows with gaps");

        var mean = train.BatchMoments.Mean;
        var inverseStd = Enumerable.Range(0, channels).Select(c => 1 / Math.Sqrt((train.BatchMoments.M2[c] / rows) + config.Epsilon)).ToArray();
        var meanDy = new double[channels];
        var meanDyXhat = new double[channels];
        for (int i = 0; i < values.Length; i++)
        {
            int c = i % channels;
            meanDy[c] += gradient[i] / (double)rows;
            meanDyXhat[c] += gradient[i] * (values[i] - mean[c]) * inverseStd[c] / rows;
        }

        var output = train.Output.ToArray();
        for (int i = 0; i < values.Length; i += 9973)
        {
            int c = i % channels;
            double xhat = (values[i] - mean[c]) * inverseStd[c];
            Assert.True(Math.Abs(output[i] - xhat) <= 1e-5 * (1 + Math.Abs(xhat)), $"y[{i}] = {output[i]}, expected {xhat}");
            double expected = train.NextState.Gamma[c] * inverseStd[c] * (gradient[i] - meanDy[c] - (xhat * meanDyXhat[c]));
            Assert.True(Math.Abs(contiguous[i] - expected) <= 1e-4 * (1 + Math.Abs(expected)), $"dx[{i}] = {contiguous[i]}, expected {expected}");
        }
    }
}
