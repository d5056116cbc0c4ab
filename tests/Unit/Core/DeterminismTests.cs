using BnNative.Moments;
using BnNative.Tensors;

namespace BnNative.Tests.Core;

/// <summary>
/// SPEC §3: for a fixed backend the result is bitwise the same whatever the thread count. Record equality of
/// <see cref="BatchMoments"/> compares every double exactly. 64×32×9×9 is large enough to cut into several chunks
/// in both the runs form (NCHW) and the rows form (NHWC).
/// </summary>
public sealed class DeterminismTests
{
    private static readonly TensorView<float> Data = TestTensors.Random(20240601, 64, 32, 9, 9);

    [BackendTheory]
    public void NchwIsBitwiseIndependentOfThreadCount(string backend)
    {
        AssertThreadCountIndependent(TestBackends.Get(backend), Data, 1);
    }

    [BackendTheory]
    public void NhwcIsBitwiseIndependentOfThreadCount(string backend)
    {
        AssertThreadCountIndependent(TestBackends.Get(backend), Data.Reshape(64, 9, 9, 32), 3);
    }

    [BackendTheory]
    public void PermutedViewIsBitwiseIndependentOfThreadCount(string backend)
    {
        AssertThreadCountIndependent(TestBackends.Get(backend), Data.Permute(0, 2, 3, 1), 3);
    }

    private static void AssertThreadCountIndependent(MomentsBackend backend, TensorView<float> x, int axis)
    {
        var single = backend.Compute(x, axis, threads: 1);

        Assert.Equal(single, backend.Compute(x, axis, threads: 2));
        Assert.Equal(single, backend.Compute(x, axis, threads: 5));
        Assert.Equal(single, backend.Compute(x, axis));
        Assert.Equal(64 * 81, single.Count);
        Assert.InRange(single.Mean[0], 0.5, 1.5);
    }
}
