using FsCheck.Fluent;

namespace BnNative.Tests.Properties;

/// <summary>
/// SPEC §3: float32 data with mean 1e4 and standard deviation 1 keeps its variance. A one-pass float32
/// E[x²] − E[x]² loses everything here (the ulp of 1e8 is 8); the backends must stay within 1e-4 of the exact
/// variance of the float values.
/// </summary>
public sealed class PrecisionProperties
{
    private const int MaxTest = 100;

    /// <summary>Relative error allowed on the variance (from the issue).</summary>
    private const double RelativeError = 1e-4;

    /// <summary>Each backend against the variance of the float values computed in double by MathNet.</summary>
    [BackendTheory]
    public void Float32VarianceNearTenThousandIsAccurate(string backend)
    {
        var moments = TestBackends.Get(backend);
        PropertyCheck.ForAll(
            TensorGenerators.Tensors(TensorGenerators.SingleOnly, ValueDraws.NearTenThousand),
            x =>
            {
                var exact = x.Statistics().Variance;
                var actual = StoredTensor.Of(x).Compute(moments, x.AxisArgument).Variance();
                for (int c = 0; c < exact.Length; c++)
                {
                    Assert.True(
                        Math.Abs(actual[c] - exact[c]) <= RelativeError * exact[c],
                        $"variance[{c}] = {actual[c]:R}, exact {exact[c]:R}, relative error {Math.Abs(actual[c] - exact[c]) / exact[c]:R}.");
                }
            },
            MaxTest);
    }
}
