using BnNative.Normalization;
using BnNative.Tensors;

namespace BnNative.Tests.Normalization;

/// <summary>The destination overload of inference allocates nothing per call (no tensor, no views, no coefficient arrays).</summary>
public sealed class AllocationTests
{
    [Fact]
    public void InferIntoADestinationDoesNotAllocate()
    {
        var x = Tensor<float>.Zeros(8, 16, 10, 10).View;
        var y = Tensor<float>.Zeros(8, 16, 10, 10).View;
        var config = new BatchNormConfig { DataFormat = DataFormat.ChannelsFirst };
        var state = BatchNormState<float>.Init(16);
        for (int i = 0; i < 200; i++)
        {
            BatchNorm.Infer(x, state, config, y);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            BatchNorm.Infer(x, state, config, y);
        }

        long perCall = (GC.GetAllocatedBytesForCurrentThread() - before) / 1000;

        // Before the row walker stopped reshaping views this was about 1.3 KB per call; tiered compilation may still
        // allocate a few bytes on the first calls it recompiles, hence the small allowance rather than exactly 0.
        Assert.True(perCall < 64, $"Infer into a destination allocated {perCall} bytes per call.");
    }
}
