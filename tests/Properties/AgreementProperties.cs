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
    public void ReferenceMatchesMathNet(MomentsCase x)
    {
        var expected = x.Statistics();
        var actual = x.Store().Compute(MomentsBackend.Reference, x.AxisArgument);
        var tolerance = Tolerance.Double(x.CountPerChannel);
        tolerance.AssertMatches(expected, actual);
        if (actual.Count > 1)
        {
            tolerance.AssertSampleVarianceMatches(expected, actual);
        }
    }

    /// <summary>Each backend against MathNet (the float tolerance covers float accumulation, not input rounding).</summary>
    [BackendTheory]
    public void EveryBackendMatchesMathNet(string backend)
    {
        var moments = TestBackends.Get(backend);
        PropertyCheck.ForAll(
            Generators.SmallCases(Generators.ElementTypes, Generators.UniformAroundChannelOffsets),
            x => Tolerance.For(x).AssertMatches(x.Statistics(), x.Store().Compute(moments, x.AxisArgument)),
            MaxTest);
    }

    /// <summary>Each backend against the Reference backend on the same view.</summary>
    [BackendTheory]
    public void EveryBackendMatchesReference(string backend) =>
        CheckAgainstReference(
            TestBackends.Get(backend), Generators.SmallCases(Generators.ElementTypes, Generators.UniformAroundChannelOffsets), MaxTest);

    /// <summary>
    /// The same on tensors of 100 000 to 300 000 elements with up to 600 channels: many fold lengths per channel,
    /// several chunks, channel groups wider than a CBLAS tile.
    /// </summary>
    [BackendTheory]
    public void EveryBackendMatchesReferenceOnLargeTensors(string backend) =>
        CheckAgainstReference(TestBackends.Get(backend), Generators.LargeCases(), MaxLargeTest);

    private static void CheckAgainstReference(
        MomentsBackend moments, Gen<MomentsCase> cases, int maxTest, [CallerMemberName] string property = "") =>
        PropertyCheck.ForAll(
            cases,
            x =>
            {
                var tensor = x.Store();
                Tolerance.For(x).AssertClose(
                    x.Statistics(), tensor.Compute(MomentsBackend.Reference, x.AxisArgument), tensor.Compute(moments, x.AxisArgument));
            },
            maxTest,
            property);
}
