using BnNative.Tensors;

namespace BnNative.Tests.Core;

/// <summary>
/// Non-finite input is not an error at this level (the BatchNorm layer's optional non-finite check comes later):
/// a NaN or infinity makes its own channel's moments non-finite and leaves every other channel exact.
/// </summary>
public sealed class NonFiniteInputTests
{
    [BackendTheory]
    public void NanStaysInItsChannel(string backend)
    {
        // [300, 3]: channel 1 gets one NaN; channels 0 and 2 alternate around 5 and −7.
        var data = new float[300 * 3];
        for (int r = 0; r < 300; r++)
        {
            data[(3 * r) + 0] = r % 2 == 0 ? 4 : 6;
            data[(3 * r) + 1] = r;
            data[(3 * r) + 2] = r % 2 == 0 ? -8 : -6;
        }

        data[(3 * 150) + 1] = float.NaN;

        var moments = TestBackends.Get(backend).Compute(TensorView<float>.Create(data, 300, 3), 1);

        Assert.True(double.IsNaN(moments.Mean[1]));
        Assert.True(double.IsNaN(moments.M2[1]));
        Assert.Equal(5, moments.Mean[0], 1e-9);
        Assert.Equal(300, moments.M2[0], 1e-6);
        Assert.Equal(-7, moments.Mean[2], 1e-9);
        Assert.Equal(300, moments.M2[2], 1e-6);
    }

    [BackendTheory]
    public void InfinityMakesItsChannelNonFinite(string backend)
    {
        // NCHW [2, 2, 8, 8]: channel 0 holds +∞ once.
        var data = new double[2 * 2 * 8 * 8];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = i % 3;
        }

        data[5] = double.PositiveInfinity;

        var moments = TestBackends.Get(backend).Compute(TensorView<double>.Create(data, 2, 2, 8, 8), 1);

        Assert.False(double.IsFinite(moments.Mean[0]) && double.IsFinite(moments.M2[0]));
        Assert.True(double.IsFinite(moments.Mean[1]));
        Assert.True(double.IsFinite(moments.M2[1]));
    }
}
