using System.Numerics;
using System.Numerics.Tensors;
using BnNative.Collections;
using BnNative.Normalization;
using BnNative.NumericsTensors;
using BnNative.Tensors;

namespace BnNative.Tests.NumericsTensors;

/// <summary>
/// <see cref="TensorSpanBatchNorm.Train{T}"/> and <see cref="TensorSpanBatchNorm.Backward{T}"/> give the bits the
/// <see cref="TensorView{T}"/> overloads give on the same data, layouts and backend (dense, permuted, gapped; NHWC and
/// NCHW; ghost chunks), write only the elements the destination addresses, and accept a System.Numerics.Tensors
/// <see cref="System.Numerics.Tensors.Tensor{T}"/> as it is.
/// </summary>
public sealed class TensorSpanTrainingTests
{
    /// <summary>The layout families (see <see cref="Layouts"/>), each channels-last ([N, H, W, C]) and channels-first ([N, C, H, W]).</summary>
    internal static readonly (string Name, bool ChannelsFirst)[] Cases =
        [("dense", false), ("dense", true), ("permuted", false), ("permuted", true), ("gapped", false), ("gapped", true)];

    [BackendTheory]
    public void TrainAndBackwardMatchTheViewOverloadsBitwise(string backend)
    {
        foreach (var (name, channelsFirst) in Cases)
        {
            foreach (var config in Configs(backend, channelsFirst))
            {
                TrainAndBackwardMatch<float>(name, channelsFirst, config);
                TrainAndBackwardMatch<double>(name, channelsFirst, config);
            }
        }
    }

    [Fact]
    public void ASystemNumericsTensorIsAcceptedAsItIs()
    {
        var layout = SpanLayout.Dense(4, 3);
        var data = layout.Buffer(7, 0f);
        var x = Tensor.Create(data, [4, 3]);
        var y = Tensor.CreateFromShape<float>([4, 3]);
        var dy = Tensor.Create(layout.Buffer(8, 0f), [4, 3]);
        var dx = Tensor.CreateFromShape<float>([4, 3]);
        var state = BatchNormState<float>.Init(3);
        var expectedY = new float[12];
        var expectedDx = new float[12];

        var train = TensorSpanBatchNorm.Train(x, state, null, y);
        var gradients = TensorSpanBatchNorm.Backward(dy, x, train, dx);

        var expected = BatchNorm.Train(layout.View(data), state, null, layout.View(expectedY));
        var expectedGradients = BatchNorm.Backward(layout.View(dy.ToArray()), expected, layout.View(expectedDx));
        BitsAssert.Equal(expectedY, y.ToArray(), "y");
        BitsAssert.Equal(expectedDx, dx.ToArray(), "dx");
        Assert.Equal(expected.CommittedState, train.CommittedState);
        Assert.Equal(expectedGradients.GammaGradient, gradients.GammaGradient);
        Assert.Equal(expectedGradients.BetaGradient, gradients.BetaGradient);
    }

    [Fact]
    public void APermutedSystemNumericsTensorIsNormalizedInPlaceOfItsStrides()
    {
        // An NCHW tensor seen as NHWC by PermuteDimensions: channels-last normalization of the permuted tensor is
        // channels-first normalization of the stored one.
        var stored = SpanLayout.Dense(2, 3, 2, 2);
        var data = stored.Buffer(11, 0d);
        var nchw = Tensor.Create(data, [2, 3, 2, 2]);
        var nhwc = Tensor.PermuteDimensions(nchw, [0, 2, 3, 1]);
        var y = Tensor.CreateFromShape<double>([2, 2, 2, 3]);
        var expectedY = new double[24];
        var state = BatchNormState<double>.Init(3);

        var train = TensorSpanBatchNorm.Train(nhwc, state, null, y);
        var expected = BatchNorm.Train(stored.View(data), state, new BatchNormConfig { DataFormat = DataFormat.ChannelsFirst }, stored.View(expectedY));

        Assert.Equal(new long[] { 0, 2, 3, 1 }.Select(a => (nint)stored.Strides[a]), nhwc.Strides.ToArray());
        Assert.Equal(expected.BatchMoments, train.BatchMoments);
        Assert.Equal(3, train.ChannelAxis);
        var permutedExpected = Tensor.PermuteDimensions(Tensor.Create(expectedY, [2, 3, 2, 2]), [0, 2, 3, 1]).ToDenseTensor();
        BitsAssert.Equal(permutedExpected.ToArray(), y.ToArray(), "y");
    }

    [Fact]
    public void DxMayBeWrittenOverDy()
    {
        var layout = SpanLayout.Gapped(2, 1, 3, 2, 4);
        var x = layout.Buffer(3, 0d);
        var dy = layout.Buffer(4, double.NaN);
        var dyThenDx = (double[])dy.Clone();
        var separateDx = layout.Filled(double.NaN);
        var state = BatchNormState<double>.Init(4);

        var train = TensorSpanBatchNorm.Train(layout.Span(x), state, null, new TensorSpan<double>(new double[24], [3, 2, 4]));
        var separate = TensorSpanBatchNorm.Backward(layout.Span(dy), layout.Span(x), train, layout.Span(separateDx));
        var inPlace = TensorSpanBatchNorm.Backward(layout.Span(dyThenDx), layout.Span(x), train, layout.Span(dyThenDx));

        BitsAssert.Equal(separateDx, dyThenDx, "dx over dy");
        Assert.Equal(separate, inPlace);
    }

    [Fact]
    public void ABackwardPassMayReadACopyOfTheInputWithTheSameLayout()
    {
        var layout = SpanLayout.Gapped(1, 2, 4, 3);
        var x = layout.Buffer(5, -1f);
        var copy = (float[])x.Clone();
        var dy = layout.Buffer(6, 0f);
        var state = BatchNormState<float>.Init(3);
        var train = TensorSpanBatchNorm.Train(layout.Span(x), state, null, new TensorSpan<float>(new float[12], [4, 3]));
        var fromOriginal = layout.Filled(0f);
        var fromCopy = layout.Filled(0f);

        var first = TensorSpanBatchNorm.Backward(layout.Span(dy), layout.Span(x), train, layout.Span(fromOriginal));
        Array.Fill(x, 3f);
        var second = TensorSpanBatchNorm.Backward(layout.Span(dy), layout.Span(copy), train, layout.Span(fromCopy));
        var changed = TensorSpanBatchNorm.Backward(layout.Span(dy), layout.Span(x), train, layout.Span(layout.Filled(0f)));

        BitsAssert.Equal(fromOriginal, fromCopy, "dx");
        Assert.Equal(first, second);

        // Nothing of x was kept from the step: the pass reads the span it is given (here one changed since).
        Assert.NotEqual(first.GammaGradient, changed.GammaGradient);
    }

    private static IEnumerable<BatchNormConfig> Configs(string backend, bool channelsFirst)
    {
        var format = channelsFirst ? DataFormat.ChannelsFirst : DataFormat.ChannelsLast;
        var moments = TestBackends.Get(backend);
        yield return new BatchNormConfig { DataFormat = format, Moments = moments };
        yield return new BatchNormConfig { DataFormat = format, Moments = moments, EmaUpdate = EmaUpdate.Internal, Threads = 2, Center = false };
        yield return new BatchNormConfig { DataFormat = format, Moments = moments, VirtualBatchSize = 2, GhostEma = GhostEmaSource.MeanOfChunks };
    }

    /// <summary>x, dy and the outputs in <paramref name="name"/>'s layout for [N, C, H, W] (channels first) or [N, H, W, C].</summary>
    internal static (SpanLayout X, SpanLayout Y, SpanLayout Dy, SpanLayout Dx) Layouts(string name, bool channelsFirst)
    {
        int[] lengths = channelsFirst ? [4, 5, 3, 2] : [4, 3, 2, 5];

        // The permuted case stores the other format and presents it through strides.
        int[] storedAsOther = channelsFirst ? [4, 3, 2, 5] : [4, 5, 3, 2];
        int[] toThisFormat = channelsFirst ? [0, 3, 1, 2] : [0, 2, 3, 1];
        return name switch
        {
            "dense" => (SpanLayout.Dense(lengths), SpanLayout.Dense(lengths), SpanLayout.Dense(lengths), SpanLayout.Dense(lengths)),
            "permuted" => (SpanLayout.Permuted(storedAsOther, toThisFormat), SpanLayout.Dense(lengths),
                SpanLayout.Dense(lengths), SpanLayout.Permuted(storedAsOther, toThisFormat)),
            _ => (SpanLayout.Gapped(3, 1, lengths), SpanLayout.Gapped(5, 2, lengths), SpanLayout.Permuted(storedAsOther, toThisFormat),
                SpanLayout.Gapped(1, 3, lengths)),
        };
    }

    private static void TrainAndBackwardMatch<T>(string name, bool channelsFirst, BatchNormConfig config)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (xLayout, yLayout, dyLayout, dxLayout) = Layouts(name, channelsFirst);
        string what = $"{typeof(T).Name} {name} {config.DataFormat} ghost {config.VirtualBatchSize}";
        T fill = T.CreateTruncating(-7.25);
        var x = xLayout.Buffer(1, fill);
        var dy = dyLayout.Buffer(2, fill);
        var state = BatchNormState<T>.Init(5) with { Gamma = ReadOnlyVector.Create<T>([.. Enumerable.Range(1, 5).Select(c => T.CreateTruncating(c * 0.5))]) };
        var expectedY = yLayout.Filled(fill);
        var actualY = yLayout.Filled(fill);
        var expectedDx = dxLayout.Filled(fill);
        var actualDx = dxLayout.Filled(fill);

        var expected = BatchNorm.Train(xLayout.View(x), state, config, yLayout.View(expectedY));
        var expectedGradients = BatchNorm.Backward(dyLayout.View(dy), expected, dxLayout.View(expectedDx));
        var actual = TensorSpanBatchNorm.Train(xLayout.Span(x), state, config, yLayout.Span(actualY));
        var actualGradients = TensorSpanBatchNorm.Backward(dyLayout.Span(dy), xLayout.Span(x), actual, dxLayout.Span(actualDx));

        BitsAssert.Output(yLayout, expectedY, actualY, fill, $"{what}: y");
        BitsAssert.Output(dxLayout, expectedDx, actualDx, fill, $"{what}: dx");
        Assert.Equal(expected.NextState, actual.NextState);
        Assert.Equal(expected.CommittedState, actual.CommittedState);
        Assert.Equal(expected.BatchMoments, actual.BatchMoments);
        Assert.Equal(expected.Chunks, actual.Chunks);
        Assert.Equal(expected.PendingTransition, actual.PendingTransition);
        Assert.Equal(expected.ChannelAxis, actual.ChannelAxis);
        Assert.Equal(expected.InverseStd, actual.InverseStd);
        Assert.Equal(expectedGradients.GammaGradient, actualGradients.GammaGradient);
        Assert.Equal(expectedGradients.BetaGradient, actualGradients.BetaGradient);
    }
}
