using BnNative.Normalization;
using BnNative.Tensors;

namespace BnNative.Tests.Normalization;

/// <summary>
/// In cache, the element passes over rows of channels walk the rows from the end when the output lies less than half a
/// 4 KiB page above the input in the low address bits (against 4K aliasing), and from the start otherwise; rows of 80
/// to 128 floats hold every coefficient in registers, rows of 144 to 256 floats the first eight vectors' up to 512 KB
/// per view, wider or larger rows load them, narrower ones take the column walk. Both
/// directions must give the bits of the other, for inference and the training forward, on every kind of row.
/// </summary>
public sealed class RowWalkDirectionTests
{
    private const int PageFloats = 4096 / sizeof(float);

    [Theory]
    [InlineData(40, 48)]  // the column walk
    [InlineData(40, 80)]  // held: five vectors
    [InlineData(12, 96)]  // held: six
    [InlineData(33, 112)] // held: seven
    [InlineData(40, 128)] // held: eight
    [InlineData(21, 144)] // eight held, the ninth loaded
    [InlineData(40, 256)] // eight held, eight loaded
    [InlineData(2048, 256)] // loaded: chunks of 1 MB
    [InlineData(24, 1024)] // loaded
    public void OutputJustAboveTheInputGivesTheBitsOfOutputFarAbove(int rows, int channels)
    {
        var random = new Random((rows * 1000) + channels);
        int n = rows * channels;
        var values = Enumerable.Range(0, n).Select(_ => (float)((random.NextDouble() * 6) - 2)).ToArray();
        var config = new BatchNormConfig { Threads = 1 };
        var state = BatchNormState<float>.Init(channels, config);

        // Output 16 floats (64 bytes) above the input modulo a page: the walk from the end. 1000 floats: from the start.
        var near = Run(values, rows, channels, state, config, outputShift: 16);
        var far = Run(values, rows, channels, state, config, outputShift: 1000);

        Assert.Equal(far.Train, near.Train);
        Assert.Equal(far.Infer, near.Infer);
        Assert.Contains(far.Infer, bits => bits != 0);
    }

    /// <summary>
    /// The training backward pass reads two inputs (x and dy): its input gradient walks from the end when dx trails
    /// either by less than half a page. Rows of up to six vectors walk down their columns, wider ones hold six vectors'
    /// coefficients in registers and load the rest, and beyond 8 MB per view load them all. dx just above both inputs,
    /// just above dy only, and far above must give the same bits.
    /// </summary>
    [Theory]
    [InlineData(40, 96)]    // the column walk: six vectors
    [InlineData(40, 112)]   // six held, one loaded
    [InlineData(21, 144)]   // six held, three loaded
    [InlineData(40, 256)]   // six held, ten loaded
    [InlineData(2048, 256)] // held, 2 MB per view
    [InlineData(24, 1024)]  // six held, 58 loaded
    public void BackwardOutputJustAboveAnInputGivesTheBitsOfOutputFarAbove(int rows, int channels)
    {
        var random = new Random((rows * 1000) + channels + 1);
        int n = rows * channels;
        var xs = Enumerable.Range(0, n).Select(_ => (float)((random.NextDouble() * 6) - 2)).ToArray();
        var dys = Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();

        var far = RunBackward(xs, dys, rows, channels, dyShift: 0, dxShift: 1000);
        var nearBoth = RunBackward(xs, dys, rows, channels, dyShift: 0, dxShift: 16);
        var nearDy = RunBackward(xs, dys, rows, channels, dyShift: 512, dxShift: 528);

        Assert.Equal(far, nearBoth);
        Assert.Equal(far, nearDy);
        Assert.Contains(far, bits => bits != 0);
    }

    /// <summary>
    /// A training step on x (on a page boundary of one pinned buffer), then its backward pass with dy
    /// <paramref name="dyShift"/> and dx <paramref name="dxShift"/> floats above page boundaries past it; dx's bits.
    /// </summary>
    private static int[] RunBackward(float[] xs, float[] dys, int rows, int channels, int dyShift, int dxShift)
    {
        int n = xs.Length;
        int span = ((n + PageFloats - 1) / PageFloats * PageFloats) + PageFloats;
        var buffer = GC.AllocateArray<float>((3 * span) + PageFloats, pinned: true);
        int start = PageStart(buffer);
        xs.CopyTo(buffer, start);
        dys.CopyTo(buffer, start + span + dyShift);
        var x = TensorView<float>.Create(buffer.AsMemory(start, n), rows, channels);
        var dy = TensorView<float>.Create(buffer.AsMemory(start + span + dyShift, n), rows, channels);
        var dx = TensorView<float>.Create(buffer.AsMemory(start + (2 * span) + dxShift, n), rows, channels);
        var config = new BatchNormConfig { Threads = 1 };

        var train = BatchNorm.Train(x, BatchNormState<float>.Init(channels, config), config);
        BatchNorm.Backward(dy, train, dx);
        return Bits(dx.ToArray());
    }

    /// <summary>
    /// Inference and the training forward with x on a page boundary of one pinned buffer and both outputs past its end,
    /// <paramref name="outputShift"/> floats above a page boundary; the outputs' bits.
    /// </summary>
    private static (int[] Train, int[] Infer) Run(
        float[] values, int rows, int channels, BatchNormState<float> state, BatchNormConfig config, int outputShift)
    {
        int n = values.Length;
        int span = ((n + PageFloats - 1) / PageFloats * PageFloats) + PageFloats;
        var buffer = GC.AllocateArray<float>((3 * span) + PageFloats, pinned: true);
        int start = PageStart(buffer);
        var x = TensorView<float>.Create(buffer.AsMemory(start, n), rows, channels);
        values.CopyTo(buffer, start);
        var trained = TensorView<float>.Create(buffer.AsMemory(start + span + outputShift, n), rows, channels);
        var inferred = TensorView<float>.Create(buffer.AsMemory(start + (2 * span) + outputShift, n), rows, channels);

        var train = BatchNorm.Train(x, state, config, trained);
        BatchNorm.Infer(x, train.NextState, config, inferred);
        return (Bits(trained.ToArray()), Bits(inferred.ToArray()));
    }

    /// <summary>The index of the first element of <paramref name="buffer"/> (pinned) on a 4 KiB boundary.</summary>
    private static unsafe int PageStart(float[] buffer)
    {
        fixed (float* start = buffer)
        {
            long address = (long)start;
            return (int)(((4096 - (address % 4096)) % 4096) / sizeof(float));
        }
    }

    private static int[] Bits(float[] values) => values.Select(BitConverter.SingleToInt32Bits).ToArray();
}
