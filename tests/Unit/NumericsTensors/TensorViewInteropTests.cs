using System.Numerics.Tensors;
using BnNative.Normalization;
using BnNative.NumericsTensors;
using BnNative.Tensors;
using BnNative.Tests.Core;

namespace BnNative.Tests.NumericsTensors;

/// <summary>
/// <see cref="TensorViewInterop"/>: every conversion shares memory (a write through one side is read through the other),
/// carries lengths and strides over, and the views of pinned spans and tensors stop working when the pin ends instead
/// of reading memory that may have moved.
/// </summary>
public sealed class TensorViewInteropTests
{
    [Fact]
    public void AViewOfASpanReadsAndWritesTheSpansMemory()
    {
        var buffer = Enumerable.Range(0, 30).Select(i => (float)i).ToArray();

        // [3, 4] at offset 2 with row stride 6: a gapped sub-block of the buffer.
        var span = new TensorSpan<float>(buffer, 2, [3, 4], [6, 1]);
        float read = TensorViewInterop.WithView(span, view =>
        {
            Assert.Equal(new TensorShape([3, 4], [6, 1]), view.Shape);
            buffer[2 + 6 + 3] = 100;
            float seen = view[1, 3];
            view[2, 0] = -1;
            return seen;
        });

        Assert.Equal(100, read);
        Assert.Equal(-1, buffer[2 + 12]);
        Assert.Equal(-1, span[2, 0]);
    }

    [Fact]
    public void AViewOfASpanFailsAfterTheCallInsteadOfReadingUnpinnedMemory()
    {
        var buffer = new double[12];
        var escaped = TensorViewInterop.WithView(new TensorSpan<double>(buffer, [4, 3]), view => view);

        Assert.Throws<ObjectDisposedException>(() => escaped[0, 0]);
        Assert.Throws<ObjectDisposedException>(() => escaped.ToArray());
        Assert.Throws<ObjectDisposedException>(() => BatchNorm.Infer(escaped, BatchNormState<double>.Init(3)));
        Assert.Throws<ObjectDisposedException>(() => escaped.Memory.Pin());
    }

    [Fact]
    public void ATrainingStepInsideOneViewScopeMatchesTheSpanEntryPoints()
    {
        var layout = SpanLayout.Gapped(1, 2, 3, 4);
        var x = layout.Buffer(21, 0f);
        var y = new float[12];
        var viaView = new float[12];
        var state = BatchNormState<float>.Init(4);
        var expected = TensorSpanBatchNorm.Train(layout.Span(x), state, null, new TensorSpan<float>(y, [3, 4]));

        var moments = TensorViewInterop.WithView(layout.Span(x), view => BatchNorm.Train(view, state, null, TensorView<float>.Create(viaView, 3, 4)).BatchMoments);

        Assert.Equal(expected.BatchMoments, moments);
        BitsAssert.Equal(y, viaView, "y");
    }

    [Fact]
    public void APinnedTensorViewSharesTheTensorsElementsUntilDisposed()
    {
        var data = Enumerable.Range(0, 24).Select(i => (double)i).ToArray();
        var tensor = Tensor.Create(data, [4, 6]);
        var slice = tensor.Slice(1..3, 2..5);

        var pinned = slice.Pin();
        var view = pinned.View;
        Assert.Equal(new TensorShape([2, 3], [6, 1]), view.Shape);
        Assert.Equal(8, view[0, 0]);
        data[6 + 8] = -5;
        Assert.Equal(-5, view[1, 0]);
        view[1, 2] = 42;
        Assert.Equal(42, slice[1, 2]);
        Assert.Equal(42, data[6 + 10]);
        pinned.Dispose();
        pinned.Dispose();

        Assert.Throws<ObjectDisposedException>(() => view[0, 0]);
        Assert.Throws<ObjectDisposedException>(() => pinned.View);
        Assert.Equal(-5, slice[1, 0]);
    }

    [Fact]
    public void APinnedPermutedTensorKeepsItsStrides()
    {
        var tensor = Tensor.Create(Enumerable.Range(0, 6).Select(i => (float)i).ToArray(), [2, 3]);
        using var pinned = Tensor.PermuteDimensions(tensor, [1, 0]).Pin();

        Assert.Equal(new TensorShape([3, 2], [1, 3]), pinned.View.Shape);
        Assert.Equal([0f, 3, 1, 4, 2, 5], pinned.View.ToArray());
    }

    [Fact]
    public void ATensorSpanOfAViewSharesItsMemory()
    {
        var data = Enumerable.Range(0, 40).Select(i => (float)i).ToArray();

        // [4, 3] with strides [1, 10] at offset 12, from a sliced, permuted, sliced view: not row-major.
        var view = TensorView<float>.Create(data, 4, 10).Slice(1, 2, 4).Permute(1, 0).Slice(1, 1, 3);
        var span = view.AsTensorSpan();

        Assert.Equal(view.Lengths.ToArray().Select(l => (nint)l), span.Lengths.ToArray());
        Assert.Equal(view.Shape.Strides.ToArray().Select(s => (nint)s), span.Strides.ToArray());
        Assert.Equal(view[2, 1], span[2, 1]);
        span[3, 2] = -9;
        Assert.Equal(-9, view[3, 2]);
        view[0, 0] = -8;
        Assert.Equal(-8, view.AsReadOnlyTensorSpan()[0, 0]);
    }

    [Fact]
    public void ATensorSpanOfAViewWithUnitAndEmptyAxesAndBroadcasts()
    {
        var data = new double[] { 1, 2, 3 };

        // Length-1 axes may carry any stride in a view; System.Numerics.Tensors wants 0 there.
        var unit = new TensorView<double>(data, new TensorShape([1, 3], [7, 1]));
        var broadcast = new TensorView<double>(data, new TensorShape([2, 3], [0, 1]));
        var empty = new TensorView<double>(data, new TensorShape([0, 3], [3, 1]));

        Assert.Equal([0, 1], unit.AsTensorSpan().Strides.ToArray());
        Assert.Equal(3, unit.AsTensorSpan()[0, 2]);
        Assert.Equal(2, broadcast.AsReadOnlyTensorSpan()[1, 1]);
        Assert.True(empty.AsTensorSpan().IsEmpty);
        ParamAssert.Throws<ArgumentException>("view", () => new TensorView<double>(data, new TensorShape([], [])).AsTensorSpan());
    }

    [Fact]
    public void ArgumentsAreChecked()
    {
        ParamAssert.Throws<ArgumentNullException>("body", () => TensorViewInterop.WithView<float, int>(new TensorSpan<float>(new float[2]), null!));
        ParamAssert.Throws<ArgumentNullException>("tensor", () => TensorViewInterop.Pin<float>(null!));
        ParamAssert.Throws<ArgumentNullException>("view", () => TensorViewInterop.AsTensorSpan<float>(null!));
        ParamAssert.Throws<ArgumentException>("span", () => TensorViewInterop.WithView(default(TensorSpan<float>), view => 0));
    }
}
