using BnNative.Moments;

namespace BnNative.Tests.Properties;

/// <summary>
/// SPEC §3: for a fixed backend the result is bitwise the same whatever the thread count (fixed chunks, fixed merge
/// order). The tensors span several chunks, so more than one thread really runs.
/// </summary>
public sealed class DeterminismProperties
{
    private const int MaxTest = 12;

    /// <summary>threads: 1 against threads: 2 and 3, bit for bit.</summary>
    [BackendTheory]
    public void ThreadCountDoesNotChangeTheResult(string backend)
    {
        var moments = TestBackends.Get(backend);
        PropertyCheck.ForAll(
            TensorGenerators.LargeTensors(TensorGenerators.BothTypes, ValueDraws.Standard),
            x =>
            {
                var tensor = StoredTensor.Of(x);
                var oneThread = tensor.Compute(moments, x.AxisArgument, threads: 1);
                foreach (int threads in new[] { 2, 3 })
                {
                    AssertBitwiseEqual(oneThread, tensor.Compute(moments, x.AxisArgument, threads));
                }
            },
            MaxTest);
    }

    private static void AssertBitwiseEqual(BatchMoments expected, BatchMoments actual)
    {
        Assert.Equal(expected, actual);
        Assert.Equal(Bits(expected.Mean), Bits(actual.Mean));
        Assert.Equal(Bits(expected.M2), Bits(actual.M2));
    }

    private static long[] Bits(IEnumerable<double> values) => values.Select(BitConverter.DoubleToInt64Bits).ToArray();
}
