using System.Numerics;
using BnNative.Tensors;

namespace BnNative.Moments;

/// <summary>
/// The oracle: every element converted to double, plain loops over the logical indices, two passes
/// (mean, then Σ(x − mean)²). Slow and single-threaded on purpose; independent of the block decomposition the
/// fast backends share.
/// </summary>
internal sealed class ReferenceMoments : MomentsBackend
{
    public override string Name => "reference";

    protected override long ComputeCore<T>(TensorView<T> x, int channelAxis, int threads, Span<double> mean, Span<double> m2)
    {
        int channels = x.Lengths[channelAxis];
        long n = x.ElementCount / channels;
        var sum = new double[channels];
        ForEach(x, channelAxis, (c, value) => sum[c] += value);
        var means = new double[channels];
        for (int c = 0; c < channels; c++)
        {
            means[c] = sum[c] / n;
        }

        var squares = new double[channels];
        ForEach(x, channelAxis, (c, value) => squares[c] += (value - means[c]) * (value - means[c]));
        means.CopyTo(mean);
        squares.CopyTo(m2);
        return n;
    }

    private static void ForEach<T>(TensorView<T> x, int channelAxis, Action<int, double> visit)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var span = x.Memory.Span;
        var shape = x.Shape;
        var index = new int[x.Rank];
        long count = x.ElementCount;
        for (long k = 0; k < count; k++)
        {
            long at = shape.Offset;
            for (int axis = 0; axis < index.Length; axis++)
            {
                at += index[axis] * shape.Stride(axis);
            }

            visit(index[channelAxis], double.CreateTruncating(span[(int)at]));
            for (int axis = index.Length - 1; axis >= 0; axis--)
            {
                if (++index[axis] < shape.Length(axis))
                {
                    break;
                }

                index[axis] = 0;
            }
        }
    }
}
