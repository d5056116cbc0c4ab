using BnNative.Kernels;
using BnNative.Normalization;
using BnNative.Tensors;
using BnNative.Tests.Core;

namespace BnNative.Tests.Normalization;

/// <summary>
/// The backward pass's sums Σdy and Σ(x − mean)·dy over at most 64 contiguous rows with a flat channel cycle take the
/// short path of the moments (the same loop, no layout, plan or accumulator slots). They must be the general path's
/// bits, added onto what the sums held, and agree with double-precision sums.
/// </summary>
public sealed class ShortRowsGradientSumsTests
{
    public static TheoryData<int, int> Shapes => new()
    {
        { 32, 64 },
        { 1, 16 },
        { 64, 8 },
        { 7, 3 },
        { 33, 5 },
        { 17, 24 },
        { 65, 64 },  // one row too many: the general path on both sides
        { 10, 13 },  // not flat: the general path on both sides
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void GivesTheBitsOfTheGeneralPath(int rows, int channels)
    {
        var x = TestTensors.Random(rows + (31 * channels), rows, channels);
        var dy = TestTensors.Random(rows * channels, rows, channels);
        var mean = Enumerable.Range(0, channels).Select(c => 0.9 + (c * 1e-3) + 1e-9).ToArray();
        GradientSumsAssert.SameBitsAsAccumulators(x, dy, mean);
    }

    [Fact]
    public void AgreesWithDoubleSums()
    {
        const int rows = 40;
        const int channels = 24;
        var x = TestTensors.Random(3, rows, channels);
        var dy = TestTensors.Random(4, rows, channels);
        var mean = Enumerable.Range(0, channels).Select(c => 1.0 + (c * 0.01)).ToArray();
        using var table = GradientSumsAssert.MeanTable(mean);
        var sumDy = new double[channels];
        var sumCentered = new double[channels];

        ChannelKernels.GradientSums(x, dy, 1, table, mean, sumDy, sumCentered, threads: 2);

        var xs = x.ToArray();
        var dys = dy.ToArray();
        for (int c = 0; c < channels; c++)
        {
            double expectedDy = 0;
            double expectedCentered = 0;
            for (int r = 0; r < rows; r++)
            {
                expectedDy += dys[(r * channels) + c];
                expectedCentered += (xs[(r * channels) + c] - mean[c]) * dys[(r * channels) + c];
            }

            Assert.Equal(expectedDy, sumDy[c], 1e-5);
            Assert.Equal(expectedCentered, sumCentered[c], 1e-5);
        }
    }
}
