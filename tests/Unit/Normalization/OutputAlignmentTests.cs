using BnNative.Normalization;
using BnNative.Tensors;

namespace BnNative.Tests.Normalization;

/// <summary>
/// Element passes over rows of channels start their stores on a 64-byte boundary: a few scalar elements first, whole
/// rows shifted by that phase, then the end of the last row in vectors. Wherever the tensors fall (every 4-byte offset
/// within a cache line, for input and output independently), the bits must be those of the aligned placement: the
/// training forward, inference, the training backward (two inputs) and the inference backward.
/// </summary>
public sealed class OutputAlignmentTests
{
    [Theory]
    [InlineData(1, 16)]
    [InlineData(3, 32)]
    [InlineData(40, 48)]
    [InlineData(9, 256)]
    [InlineData(5, 24)] // not a multiple of 512 bits: the Vector<T> path
    public void EveryPlacementGivesTheBitsOfTheAlignedOne(int rows, int channels)
    {
        var random = new Random((rows * 100) + channels);
        int n = rows * channels;
        var values = Enumerable.Range(0, n).Select(_ => (float)((random.NextDouble() * 6) - 2)).ToArray();
        var gradient = Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var config = new BatchNormConfig { Threads = 1 };
        var state = BatchNormState<float>.Init(channels, config);

        var expected = Run(values, gradient, rows, channels, state, config, inputOffset: 0, outputOffset: 0);
        for (int inputOffset = 0; inputOffset < 16; inputOffset += 5)
        {
            for (int outputOffset = 0; outputOffset < 16; outputOffset++)
            {
                var actual = Run(values, gradient, rows, channels, state, config, inputOffset, outputOffset);
                for (int k = 0; k < expected.Length; k++)
                {
                    Assert.True(
                        expected[k].SequenceEqual(actual[k]),
                        $"pass {k} differs with the input at +{inputOffset} and the output at +{outputOffset} elements from a 64-byte boundary");
                }
            }
        }
    }

    /// <summary>The four passes with x and dy placed <paramref name="inputOffset"/> elements and every output <paramref name="outputOffset"/> elements past a 64-byte boundary.</summary>
    private static int[][] Run(
        float[] values, float[] gradient, int rows, int channels, BatchNormState<float> state, BatchNormConfig config, int inputOffset, int outputOffset)
    {
        var x = Placed(values, inputOffset, rows, channels);
        var dy = Placed(gradient, inputOffset, rows, channels);
        var y = Placed(new float[values.Length], outputOffset, rows, channels);
        var inferred = Placed(new float[values.Length], outputOffset, rows, channels);
        var dx = Placed(new float[values.Length], outputOffset, rows, channels);

        var train = BatchNorm.Train(x, state, config, y);
        BatchNorm.Infer(x, train.NextState, config, inferred);
        BatchNorm.Backward(dy, train, dx);
        var dxInference = BatchNorm.BackwardInference(dy, x, train.NextState, config).InputGradient.ToArray();
        return [Bits(y.ToArray()), Bits(inferred.ToArray()), Bits(dx.ToArray()), Bits(dxInference)];
    }

    /// <summary>A copy of <paramref name="values"/> in pinned storage, starting <paramref name="offset"/> elements past a 64-byte boundary.</summary>
    private static unsafe TensorView<float> Placed(float[] values, int offset, int rows, int channels)
    {
        var storage = GC.AllocateArray<float>(values.Length + 32, pinned: true);
        int start;
        fixed (float* p = storage)
        {
            start = (int)((64 - ((nint)p & 63)) & 63) / sizeof(float);
        }

        values.CopyTo(storage.AsSpan(start + offset));
        return TensorView<float>.Create(storage.AsMemory(start + offset, values.Length), rows, channels);
    }

    private static int[] Bits(float[] values) => Array.ConvertAll(values, BitConverter.SingleToInt32Bits);
}
