using System.Numerics;
using System.Numerics.Tensors;
using BnNative.Collections;
using BnNative.Normalization;
using BnNative.NumericsTensors;
using BnNative.Tensors;

namespace BnNative.Tests.NumericsTensors;

/// <summary>
/// <see cref="TensorSpanBatchNorm.Infer{T}"/> and <see cref="TensorSpanBatchNorm.BackwardInference{T}"/> give the bits the
/// <see cref="TensorView{T}"/> overloads give on the same data, layouts and backend, and write only the elements the
/// destination addresses; broadcast inputs (stride 0) are read as the views read them.
/// </summary>
public sealed class TensorSpanInferenceTests
{
    [BackendTheory]
    public void InferAndBackwardInferenceMatchTheViewOverloadsBitwise(string backend)
    {
        foreach (var (name, channelsFirst) in TensorSpanTrainingTests.Cases)
        {
            var config = new BatchNormConfig
            {
                DataFormat = channelsFirst ? DataFormat.ChannelsFirst : DataFormat.ChannelsLast,
                Moments = TestBackends.Get(backend),
            };
            InferenceMatches<float>(name, channelsFirst, config);
            InferenceMatches<double>(name, channelsFirst, config with { Scale = false, Epsilon = 1e-3 });
        }
    }

    [Fact]
    public void ABroadcastInputIsReadAsTheViewReadsIt()
    {
        // x repeats one [3]-row along the batch (stride 0), dy is dense.
        var row = new float[] { 1.5f, -2f, 0.25f };
        var dy = SpanLayout.Dense(4, 3).Buffer(3, 0f);
        var state = BatchNormState<float>.Init(3) with { MovingMean = ReadOnlyVector.Create<float>([1, 2, 3]) };
        var broadcast = new TensorShape([4, 3], [0, 1]);
        var expectedY = new float[12];
        var expectedDx = new float[12];
        var actualY = new float[12];
        var actualDx = new float[12];

        BatchNorm.Infer(new TensorView<float>(row, broadcast), state, null, TensorView<float>.Create(expectedY, 4, 3));
        var expected = BatchNorm.BackwardInference(
            TensorView<float>.Create(dy, 4, 3), new TensorView<float>(row, broadcast), state, null, TensorView<float>.Create(expectedDx, 4, 3));
        TensorSpanBatchNorm.Infer(new ReadOnlyTensorSpan<float>(row, [4, 3], [0, 1]), state, null, new TensorSpan<float>(actualY, [4, 3]));
        var actual = TensorSpanBatchNorm.BackwardInference(
            new ReadOnlyTensorSpan<float>(dy, [4, 3]), new ReadOnlyTensorSpan<float>(row, [4, 3], [0, 1]), state, null, new TensorSpan<float>(actualDx, [4, 3]));

        BitsAssert.Equal(expectedY, actualY, "y");
        BitsAssert.Equal(expectedDx, actualDx, "dx");
        Assert.Equal(expected.GammaGradient, actual.GammaGradient);
        Assert.Equal(expected.BetaGradient, actual.BetaGradient);
        Assert.Equal(actualY[..3], actualY[9..]);
    }

    [Fact]
    public void AnOutputBesideItsInputInOneBufferIsWritten()
    {
        // x in the first half of a buffer and y in the second: one array, disjoint ranges.
        var buffer = SpanLayout.Dense(2, 8, 3).Buffer(9, 0d);
        var expectedY = new double[24];
        var state = BatchNormState<double>.Init(3);
        BatchNorm.Infer(TensorView<double>.Create(buffer.AsMemory(0, 24), 8, 3), state, null, TensorView<double>.Create(expectedY, 8, 3));

        TensorSpanBatchNorm.Infer(new ReadOnlyTensorSpan<double>(buffer, 0, [8, 3], [3, 1]), state, null, new TensorSpan<double>(buffer, 24, [8, 3], [3, 1]));

        BitsAssert.Equal(expectedY, buffer[24..], "y");
    }

    private static void InferenceMatches<T>(string name, bool channelsFirst, BatchNormConfig config)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (xLayout, yLayout, dyLayout, dxLayout) = TensorSpanTrainingTests.Layouts(name, channelsFirst);
        string what = $"{typeof(T).Name} {name} {config.DataFormat}";
        T fill = T.CreateTruncating(123.5);
        var x = xLayout.Buffer(1, fill);
        var dy = dyLayout.Buffer(2, fill);
        var state = new BatchNormState<T>(
            ReadOnlyVector.Create<T>([.. Enumerable.Range(0, 5).Select(c => T.CreateTruncating(c * 0.3))]),
            ReadOnlyVector.Create<T>([.. Enumerable.Range(0, 5).Select(c => T.CreateTruncating(0.5 + c))]),
            ReadOnlyVector.Create<T>([.. Enumerable.Range(0, 5).Select(c => T.CreateTruncating(2 - (c * 0.25)))]),
            ReadOnlyVector.Create<T>([.. Enumerable.Range(0, 5).Select(c => T.CreateTruncating(c - 2))]),
            3);
        var expectedY = yLayout.Filled(fill);
        var actualY = yLayout.Filled(fill);
        var expectedDx = dxLayout.Filled(fill);
        var actualDx = dxLayout.Filled(fill);

        BatchNorm.Infer(xLayout.View(x), state, config, yLayout.View(expectedY));
        var expected = BatchNorm.BackwardInference(dyLayout.View(dy), xLayout.View(x), state, config, dxLayout.View(expectedDx));
        TensorSpanBatchNorm.Infer(xLayout.Span(x), state, config, yLayout.Span(actualY));
        var actual = TensorSpanBatchNorm.BackwardInference(dyLayout.Span(dy), xLayout.Span(x), state, config, dxLayout.Span(actualDx));

        BitsAssert.Output(yLayout, expectedY, actualY, fill, $"{what}: y");
        BitsAssert.Output(dxLayout, expectedDx, actualDx, fill, $"{what}: dx");
        Assert.Equal(expected.GammaGradient, actual.GammaGradient);
        Assert.Equal(expected.BetaGradient, actual.BetaGradient);
    }
}
