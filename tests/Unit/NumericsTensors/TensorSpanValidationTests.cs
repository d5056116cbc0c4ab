using System.Numerics.Tensors;
using BnNative.Normalization;
using BnNative.NumericsTensors;
using BnNative.Tests.Core;

namespace BnNative.Tests.NumericsTensors;

/// <summary>
/// Every argument <see cref="TensorSpanBatchNorm"/> rejects, with the parameter named as the public signature names it
/// and nothing written: geometry a view cannot take (rank, sizes, negative strides), outputs that address an element
/// twice or share memory with an input, mismatched lengths, a backward input laid out unlike the training step's.
/// </summary>
public sealed unsafe class TensorSpanValidationTests
{
    private static readonly BatchNormState<float> Three = BatchNormState<float>.Init(3);

    /// <summary>One more than <see cref="int.MaxValue"/>, as a length.</summary>
    private static readonly nint BeyondInt = unchecked((nint)int.MaxValue + 1);

    [Fact]
    public void MismatchedLengthsNameTheSpan()
    {
        var x = new float[12];
        var other = new float[12];
        var train = TensorSpanBatchNorm.Train(Dense(Filled(12), 4, 3), Three, null, Dense(new float[12], 4, 3));

        ParamAssert.Throws<ArgumentException>("destination", () => TensorSpanBatchNorm.Train(Dense(Filled(12), 4, 3), Three, null, Dense(other, 3, 4)));
        ParamAssert.Throws<ArgumentException>("destination", () => TensorSpanBatchNorm.Infer(Dense(Filled(12), 4, 3), Three, null, Dense(other, 2, 2, 3)));
        ParamAssert.Throws<ArgumentException>("dy", () => TensorSpanBatchNorm.Backward(Dense(Filled(12), 2, 6), Dense(Filled(12), 4, 3), train, Dense(other, 4, 3)));
        ParamAssert.Throws<ArgumentException>("inputGradient", () => TensorSpanBatchNorm.Backward(Dense(Filled(12), 4, 3), Dense(Filled(12), 4, 3), train, Dense(other, 6, 2)));
        ParamAssert.Throws<ArgumentException>("dy", () => TensorSpanBatchNorm.BackwardInference(Dense(Filled(12), 6, 2), Dense(Filled(12), 4, 3), Three, null, Dense(other, 4, 3)));
        ParamAssert.Throws<ArgumentException>("inputGradient", () => TensorSpanBatchNorm.BackwardInference(Dense(Filled(12), 4, 3), Dense(Filled(12), 4, 3), Three, null, Dense(other, 3, 4)));
        ParamAssert.Throws<ArgumentException>("state", () => TensorSpanBatchNorm.Train(Dense(Filled(12), 3, 4), Three, null, Dense(other, 3, 4)));
        ParamAssert.Throws<ArgumentException>("state", () => TensorSpanBatchNorm.Infer(Dense(Filled(12), 3, 4), Three, null, Dense(other, 3, 4)));
        Assert.All(other, value => Assert.Equal(0, value));
        Assert.All(x, value => Assert.Equal(0, value));
    }

    [Fact]
    public void ABackwardInputLaidOutUnlikeTheStepsIsRejected()
    {
        var data = Filled(24);
        var train = TensorSpanBatchNorm.Train(new ReadOnlyTensorSpan<float>(data, [4, 3], [6, 1]), Three, null, Dense(new float[12], 4, 3));
        var dx = new float[12];

        var error = ParamAssert.Throws<ArgumentException>(
            "x", () => TensorSpanBatchNorm.Backward(Dense(Filled(12), 4, 3), Dense(data, 4, 3), train, Dense(dx, 4, 3)));
        Assert.Contains("strides [3, 1]", error.Message, StringComparison.Ordinal);
        Assert.Contains("strides [6, 1]", error.Message, StringComparison.Ordinal);
        ParamAssert.Throws<ArgumentException>("x", () => TensorSpanBatchNorm.Backward(Dense(Filled(12), 4, 3), Dense(data, 2, 2, 3), train, Dense(dx, 4, 3)));
        Assert.All(dx, value => Assert.Equal(0, value));
    }

    [Fact]
    public void RanksBelowTwoAreRejectedAsForViews()
    {
        var output = new float[3];

        var error = ParamAssert.Throws<ArgumentException>("x", () => TensorSpanBatchNorm.Train(Dense(Filled(3), 3), Three, null, Dense(output, 3)));
        Assert.Contains("rank 1", error.Message, StringComparison.Ordinal);
        error = ParamAssert.Throws<ArgumentException>("x", () => TensorSpanBatchNorm.Infer(default, Three, null, Dense(output, 3)));
        Assert.Contains("rank 0", error.Message, StringComparison.Ordinal);
        ParamAssert.Throws<ArgumentException>("destination", () => TensorSpanBatchNorm.Infer(Dense(Filled(3), 1, 3), Three, null, default));
        ParamAssert.Throws<ArgumentException>("dy", () => TensorSpanBatchNorm.BackwardInference(default, Dense(Filled(3), 1, 3), Three, null, Dense(output, 1, 3)));
        Assert.All(output, value => Assert.Equal(0, value));
    }

    [Fact]
    public void BroadcastOutputsAreRejected()
    {
        var x = Filled(12);
        var one = new float[3];
        var train = TensorSpanBatchNorm.Train(Dense(x, 4, 3), Three, null, Dense(new float[12], 4, 3));

        var error = ParamAssert.Throws<ArgumentException>(
            "destination", () => TensorSpanBatchNorm.Train(Dense(x, 4, 3), Three, null, new TensorSpan<float>(one, [4, 3], [0, 1])));
        Assert.Contains("stride 0 on axis 0 of length 4", error.Message, StringComparison.Ordinal);
        ParamAssert.Throws<ArgumentException>("destination", () => TensorSpanBatchNorm.Infer(Dense(x, 4, 3), Three, null, new TensorSpan<float>(one, [4, 3], [0, 1])));
        ParamAssert.Throws<ArgumentException>(
            "inputGradient", () => TensorSpanBatchNorm.Backward(Dense(Filled(12), 4, 3), Dense(x, 4, 3), train, new TensorSpan<float>(one, [4, 3], [0, 1])));
        ParamAssert.Throws<ArgumentException>(
            "inputGradient", () => TensorSpanBatchNorm.BackwardInference(Dense(Filled(12), 4, 3), Dense(x, 4, 3), Three, null, new TensorSpan<float>(one, [4, 3], [0, 1])));
        Assert.All(one, value => Assert.Equal(0, value));
    }

    [Fact]
    public void OutputsSharingMemoryWithAnInputAreRejected()
    {
        var buffer = Filled(30);
        var before = (float[])buffer.Clone();
        var dy = Filled(12);
        var train = TensorSpanBatchNorm.Train(Dense(buffer, 4, 3), Three, null, Dense(new float[12], 4, 3));

        // In place, shifted by one element, and interleaved (disjoint elements, overlapping ranges: rejected too).
        var error = ParamAssert.Throws<ArgumentException>("destination", () => TensorSpanBatchNorm.Train(Dense(buffer, 4, 3), Three, null, Dense(buffer, 4, 3)));
        Assert.Contains("shares memory with x", error.Message, StringComparison.Ordinal);
        ParamAssert.Throws<ArgumentException>(
            "destination", () => TensorSpanBatchNorm.Infer(Dense(buffer, 4, 3), Three, null, new TensorSpan<float>(buffer, 1, [4, 3], [3, 1])));
        ParamAssert.Throws<ArgumentException>(
            "destination",
            () => TensorSpanBatchNorm.Infer(new ReadOnlyTensorSpan<float>(buffer, 0, [4, 3], [6, 1]), Three, null, new TensorSpan<float>(buffer, 3, [4, 3], [6, 1])));
        error = ParamAssert.Throws<ArgumentException>("inputGradient", () => TensorSpanBatchNorm.Backward(Dense(dy, 4, 3), Dense(buffer, 4, 3), train, Dense(buffer, 4, 3)));
        Assert.Contains("shares memory with x", error.Message, StringComparison.Ordinal);
        error = ParamAssert.Throws<ArgumentException>(
            "inputGradient", () => TensorSpanBatchNorm.Backward(Dense(buffer, 4, 3), Dense(Filled(12), 4, 3), train, new TensorSpan<float>(buffer, 2, [4, 3], [3, 1])));
        Assert.Contains("shares memory with dy", error.Message, StringComparison.Ordinal);
        ParamAssert.Throws<ArgumentException>(
            "inputGradient", () => TensorSpanBatchNorm.BackwardInference(Dense(buffer, 4, 3), Dense(Filled(12), 4, 3), Three, null, new TensorSpan<float>(buffer, 0, [4, 3], [1, 4])));
        ParamAssert.Throws<ArgumentException>(
            "inputGradient", () => TensorSpanBatchNorm.BackwardInference(Dense(dy, 4, 3), Dense(buffer, 4, 3), Three, null, Dense(buffer, 4, 3)));
        BitsAssert.Equal(before, buffer, "buffer");
    }

    [Fact]
    public void LengthsBeyondAnIntAreRejected()
    {
        var data = Filled(3);
        var output = new float[3];
        fixed (float* start = data)
        {
            nint address = (nint)start;
            var error = ParamAssert.Throws<ArgumentException>("x", () => TensorSpanBatchNorm.Infer(Huge(address), Three, null, Dense(output, 1, 3)));
            Assert.Contains($"length {BeyondInt} on axis 0", error.Message, StringComparison.Ordinal);
            Assert.Equal(BeyondInt, Huge(address).Lengths[0]);
        }

        Assert.All(output, value => Assert.Equal(0, value));
    }

    [Fact]
    public void RangesBeyondAMemoryAreRejected()
    {
        // Two rows int.MaxValue elements apart over a claimed 2^33-element buffer: nothing is read before the check throws.
        var output = new float[6];
        var data = Filled(3);
        fixed (float* start = data)
        {
            nint address = (nint)start;
            var error = ParamAssert.Throws<ArgumentException>("x", () => TensorSpanBatchNorm.Infer(FarRows(address), Three, null, Dense(output, 2, 3)));
            Assert.Contains("2147483650 elements", error.Message, StringComparison.Ordinal);
            ParamAssert.Throws<ArgumentException>("destination", () => TensorSpanBatchNorm.Infer(Dense(output, 2, 3), Three, null, FarRows(address)));
        }

        Assert.All(output, value => Assert.Equal(0, value));
    }

    [Fact]
    public void ElementCountsBeyondALongAreRejected()
    {
        // System.Numerics.Tensors refuses such a span (its count is an nint), so the mapping's own check is reached directly.
        var data = Filled(3);
        nint big = int.MaxValue;
        fixed (float* start = data)
        {
            nint address = (nint)start;
            Assert.Throws<OverflowException>(() => new ReadOnlyTensorSpan<float>((float*)address, 3, [big, big, big, 3], [0, 0, 0, 1]));
        }

        var error = ParamAssert.Throws<ArgumentException>("x", () => SpanOperand<float>.Of([big, big, big, 3], [0, 0, 0, 1], "x", output: false));
        Assert.Contains("more than 9223372036854775807 elements", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NegativeStridesAreRejected()
    {
        // System.Numerics.Tensors refuses them when a span is made, so the mapping's own check is reached only through it.
        Assert.ThrowsAny<ArgumentException>(() => new TensorSpan<float>(new float[12], 9, [4, 3], [-3, 1]));

        var error = ParamAssert.Throws<ArgumentException>("x", () => SpanOperand<float>.Of([4, 3], [-3, 1], "x", output: false));
        Assert.Contains("stride -3 on axis 0", error.Message, StringComparison.Ordinal);
        ParamAssert.Throws<ArgumentException>("destination", () => SpanOperand<float>.Of([4, 3], [3, -1], "destination", output: true));
    }

    [Fact]
    public void NonFiniteStatisticsLeaveTheDestinationUntouched()
    {
        var x = Filled(12);
        x[4] = float.PositiveInfinity;
        var y = new float[12];
        Array.Fill(y, -3f);

        var error = Assert.Throws<NonFiniteStatisticsException>(() => TensorSpanBatchNorm.Train(Dense(x, 4, 3), Three, null, Dense(y, 4, 3)));

        Assert.Equal("x", error.ParamName);
        Assert.All(y, value => Assert.Equal(-3f, value));
    }

    [Fact]
    public void NullsAndUnsupportedElementTypesAreRejected()
    {
        ParamAssert.Throws<ArgumentNullException>("state", () => TensorSpanBatchNorm.Train(Dense(Filled(12), 4, 3), null!, null, Dense(new float[12], 4, 3)));
        ParamAssert.Throws<ArgumentNullException>("state", () => TensorSpanBatchNorm.Infer(Dense(Filled(12), 4, 3), null!, null, Dense(new float[12], 4, 3)));
        ParamAssert.Throws<ArgumentNullException>("train", () => TensorSpanBatchNorm.Backward(Dense(Filled(12), 4, 3), Dense(Filled(12), 4, 3), null!, Dense(new float[12], 4, 3)));
        Assert.Throws<NotSupportedException>(
            () => TensorSpanBatchNorm.Infer(new ReadOnlyTensorSpan<Half>(new Half[6], [2, 3]), BatchNormState<Half>.Init(3), null, new TensorSpan<Half>(new Half[6], [2, 3])));
    }

    [Fact]
    public void OneBackwardPassOfAStepAtATime()
    {
        var train = TensorSpanBatchNorm.Train(Dense(Filled(12), 4, 3), Three, null, Dense(new float[12], 4, 3));
        var x = Filled(12);
        fixed (float* start = x)
        {
            train.Input.Memory.Attach(start);
            try
            {
                var error = Assert.Throws<InvalidOperationException>(
                    () => TensorSpanBatchNorm.Backward(Dense(Filled(12), 4, 3), Dense(x, 4, 3), train, Dense(new float[12], 4, 3)));
                Assert.Contains("one at a time", error.Message, StringComparison.Ordinal);
            }
            finally
            {
                train.Input.Memory.Detach();
            }
        }

        Assert.NotNull(TensorSpanBatchNorm.Backward(Dense(Filled(12), 4, 3), Dense(x, 4, 3), train, Dense(new float[12], 4, 3)).GammaGradient);
    }

    private static float[] Filled(int length) => [.. Enumerable.Range(0, length).Select(i => (float)((i * 7) % 5))];

    private static TensorSpan<float> Dense(float[] data, params nint[] lengths) => new(data.AsSpan(0, (int)lengths.Aggregate((a, b) => a * b)), lengths);

    /// <summary>A span of <see cref="BeyondInt"/> broadcast rows of the 3 elements at <paramref name="address"/>.</summary>
    private static ReadOnlyTensorSpan<float> Huge(nint address) => new((float*)address, 3, [BeyondInt, 3], [0, 1]);

    /// <summary>Two rows of 3 int.MaxValue elements apart from <paramref name="address"/>; nothing may read them.</summary>
    private static TensorSpan<float> FarRows(nint address) => new((float*)address, (nint)1 << 33, [2, 3], [int.MaxValue, 1]);
}
