using System.Runtime.CompilerServices;
using BnNative.Moments;
using FsCheck;

namespace BnNative.Tests.Properties;

/// <summary>
/// Every backend computes the moments MathNet.Numerics computes on the same logical values, and agrees with the
/// Reference backend, for ranks 2–5, both data formats and explicit (also negative) axes, float and double,
/// contiguous, permuted and sliced views.
/// </summary>
public sealed class AgreementProperties
{
    private const int MaxTest = 100;

    /// <summary>Large cases are few: each one has up to 300 000 elements.</summary>
    private const int MaxLargeTest = 10;

    /// <summary>The oracle itself against MathNet: count, mean, biased and unbiased variance, in double precision.</summary>
    [MomentsProperty]
    public void ReferenceMatchesMathNet(TensorCase x)
    {
        var expected = x.Statistics();
        var actual = StoredTensor.Of(x).Compute(MomentsBackend.Reference, x.AxisArgument);
        var tolerance = MomentTolerance.Double(x.CountPerChannel);
        tolerance.Verify(expected, actual);
        if (actual.Count > 1)
        {
            tolerance.VerifySampleVariance(expected, actual);
        }
    }

    /// <summary>Each backend against MathNet (the float tolerance covers float accumulation, not input rounding).</summary>
    [BackendTheory]
    public void EveryBackendMatchesMathNet(string backend)
    {
        var moments = TestBackends.Get(backend);
        PropertyCheck.ForAll(
            TensorGenerators.Tensors(TensorGenerators.BothTypes, ValueDraws.Standard),
            x => MomentTolerance.For(x).Verify(x.Statistics(), StoredTensor.Of(x).Compute(moments, x.AxisArgument)),
            MaxTest);
    }

    /// <summary>Each backend against the Reference backend on the same view.</summary>
    [BackendTheory]
    public void EveryBackendMatchesReference(string backend) =>
        CheckAgainstReference(
            TestBackends.Get(backend), TensorGenerators.Tensors(TensorGenerators.BothTypes, ValueDraws.Standard), MaxTest);

    /// <summary>
    /// The same on tensors of 100 000 to 300 000 elements with up to 600 channels: many fold lengths per channel,
    /// several chunks, channel groups wider than a CBLAS tile.
    /// </summary>
    [BackendTheory]
    public void EveryBackendMatchesReferenceOnLargeTensors(string backend) =>
        CheckAgainstReference(TestBackends.Get(backend), TensorGenerators.LargeTensors(TensorGenerators.BothTypes, ValueDraws.Standard), MaxLargeTest);

    private static void CheckAgainstReference(
        MomentsBackend moments, Gen<TensorCase> cases, int maxTest, [CallerMemberName] string property = "") =>
        PropertyCheck.ForAll(
            cases,
            x =>
            {
                var tensor = StoredTensor.Of(x);
                MomentTolerance.For(x).Verify(
                    x.Statistics(), tensor.Compute(MomentsBackend.Reference, x.AxisArgument), tensor.Compute(moments, x.AxisArgument));
            },
            maxTest,
            property);
}
