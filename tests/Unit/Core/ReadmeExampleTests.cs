using BnNative.Collections;
using BnNative.Moments;
using BnNative.Tensors;

namespace BnNative.Tests.Core;

/// <summary>The README's API example, kept compiling and true.</summary>
public sealed class ReadmeExampleTests
{
    [Fact]
    public void ApiExampleHolds()
    {
        float[] data = new float[8 * 16 * 32 * 32];
        var random = new Random(7);
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = (float)(random.NextDouble() * 4) + (i / (32 * 32) % 16);
        }

        var x = TensorView<float>.Create(data, 8, 16, 32, 32);
        int axis = ChannelAxis.Resolve(x.Rank, DataFormats.Parse("NCHW"));
        BatchMoments m = MomentsBackend.Auto.Compute(x, axis);
        ReadOnlyVector<double> variance = m.Variance();
        ReadOnlyVector<double> unbiased = m.Variance(VarianceEstimator.Unbiased);

        var nhwc = x.Permute(0, 2, 3, 1);
        BatchMoments same = MomentsBackend.Simd.Compute(nhwc, channelAxis: 3);

        var first = MomentsBackend.Simd.Compute(x.Slice(0, 0, 4), 1);
        var second = MomentsBackend.Simd.Compute(x.Slice(0, 4, 4), 1);
        BatchMoments whole = BatchMoments.Merge(first, second);

        Assert.Equal(1, axis);
        Assert.Equal(8 * 32 * 32, m.Count);
        var reference = MomentsBackend.Reference.Compute(x, axis);
        for (int c = 0; c < 16; c++)
        {
            // Float input: partial sums in float over at most FoldLength elements, so about 1e-7 relative.
            double meanTolerance = 1e-6 * (Math.Abs(reference.Mean[c]) + 1);
            Assert.Equal(reference.Mean[c], m.Mean[c], meanTolerance);
            Assert.Equal(reference.M2[c] / m.Count, variance[c], 1e-5 * variance[c]);
            Assert.Equal(variance[c] * m.Count / (m.Count - 1), unbiased[c], 1e-9);
            Assert.Equal(m.Mean[c], same.Mean[c], meanTolerance);
            Assert.Equal(m.M2[c], same.M2[c], 1e-5 * m.M2[c]);
            Assert.Equal(m.Mean[c], whole.Mean[c], meanTolerance);
            Assert.Equal(m.M2[c], whole.M2[c], 1e-5 * m.M2[c]);
        }
    }
}
