using System.Numerics;
using BnNative.Moments;
using BnNative.Normalization;
using FsCheck;
using FsCheck.Fluent;
using static BnNative.Tests.Properties.Normalization.NormalizationAssert;
using static BnNative.Testing.NormalizationGenerators;
using static BnNative.Testing.TensorGenerators;
using static BnNative.Tests.Properties.Normalization.StepGenerators;

namespace BnNative.Tests.Properties.Normalization;

/// <summary>
/// SPEC §4, training mode: y = gamma·(x − mu)/sqrt(s2 + eps) + beta with the batch statistics, checked against an
/// independent double-precision reference on every backend, for float and double, ranks 2–5, both data formats,
/// explicit (also negative) axes, permuted, padded and offset views; and the identities the formula implies.
/// </summary>
public sealed class TrainingOutputProperties
{
    private const int MaxTest = 100;

    /// <summary>SPEC §4's float32 claim: with |mean| ≈ 1e4 and spread 1, y stays within ~1e-6 (here: 1e-5).</summary>
    private const double NearTenThousandError = 1e-5;

    /// <summary>
    /// Per channel the output has mean beta and biased variance gamma²·s2/(s2 + eps), s2 the batch variance: with the
    /// initial gamma 1 and beta 0, and with random gamma and beta.
    /// </summary>
    [Fact]
    public void OutputChannelsHaveMeanBetaAndScaledBatchVariance() =>
        PropertyCheck.ForAll(
            Cases(Inputs(DoubleOnly)),
            step =>
            {
                AssertChannelMoments(step.WithDefaultAffine());
                AssertChannelMoments(step);
            },
            MaxTest);

    /// <summary>gamma and beta act as an affine map of the normalized value: y(gamma, beta) = gamma·y(1, 0) + beta.</summary>
    [Fact]
    public void GammaAndBetaActAsAnAffineMap() =>
        PropertyCheck.ForAll(
            Cases(Inputs(DoubleOnly)),
            step =>
            {
                var normalized = Train(step.WithDefaultAffine());
                var actual = Train(step);
                var gamma = step.EffectiveGamma;
                var beta = step.EffectiveBeta;
                for (int i = 0; i < actual.Length; i++)
                {
                    int c = step.Index.At(i);
                    Within(
                        $"y[{i}] against gamma·y(1, 0) + beta",
                        (gamma[c] * normalized[i]) + beta[c],
                        actual[i],
                        8 * step.UnitRoundoff * (Math.Abs(gamma[c] * normalized[i]) + Math.Abs(beta[c])));
                }
            },
            MaxTest);

    /// <summary>Every backend's training output against <see cref="ReferenceBatchNorm.Train"/>, within <see cref="OutputTolerance"/>.</summary>
    [BackendTheory]
    public void OutputMatchesDoubleReference(string backend)
    {
        var moments = TestBackends.Get(backend);
        PropertyCheck.ForAll(
            Cases(Inputs(BothTypes)),
            step =>
            {
                var tolerance = OutputTolerance.Training(step, MomentTolerance.For(step.Tensor));
                var expected = ReferenceBatchNorm.Train(step);
                var config = step.Config(moments);
                tolerance.Verify(
                    expected,
                    step.Tensor.Type == ElementType.Single
                        ? Values(BatchNorm.Train(step.Input<float>(), step.State<float>(), config).Output)
                        : Values(BatchNorm.Train(step.Input<double>(), step.State<double>(), config).Output));
            },
            MaxTest);
    }

    /// <summary>
    /// Train into a destination view (any storage order, padded, offset) writes exactly the allocating Train's output
    /// and nothing outside the view.
    /// </summary>
    [Fact]
    public void TrainIntoADestinationViewEqualsTheAllocatingTrain() =>
        PropertyCheck.ForAll(
            Destinations(Cases(Inputs(BothTypes))),
            pair => pair.Case.Run(step => TrainInto<float>(step, pair.Destination), step => TrainInto<double>(step, pair.Destination)),
            MaxTest);

    /// <summary>
    /// float32 input with mean 1e4 and standard deviation 1 (SPEC §3's hard case): subtracting the full-precision mean
    /// first keeps y within <see cref="NearTenThousandError"/>; folding to a·x + b would lose about 1e-3.
    /// </summary>
    [BackendTheory]
    public void Float32OutputNearTenThousandIsAccurate(string backend)
    {
        var moments = TestBackends.Get(backend);
        PropertyCheck.ForAll(
            from step in Cases(Inputs(Gen.Constant(ElementType.Single)))
            from seed in Gen.Choose(0, int.MaxValue)
            select NearTenThousand(step.WithDefaultAffine(), seed),
            step =>
            {
                var expected = ReferenceBatchNorm.Train(step);
                var actual = Values(BatchNorm.Train(step.Input<float>(), step.State<float>(), step.Config(moments)).Output);
                for (int i = 0; i < expected.Length; i++)
                {
                    Within($"y[{i}] (x = {step.Tensor.Values[i]})", expected[i], actual[i], NearTenThousandError);
                }
            },
            MaxTest);
    }

    private static void TrainInto<T>(NormalizationCase step, StorageLayout layout)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var config = step.Config(MomentsBackend.Reference);
        var destination = layout.Store<T>(step.Tensor.Lengths, new double[step.Tensor.Values.Length]);
        var allocated = BatchNorm.Train(step.Input<T>(), step.State<T>(), config);
        var written = BatchNorm.Train(step.Input<T>(), step.State<T>(), config, destination);
        Assert.Same(destination, written.Output);
        WroteOnlyTheView(allocated.Output, destination);
    }

    private static double[] Train(NormalizationCase step) =>
        Values(BatchNorm.Train(step.Input<double>(), step.State<double>(), step.Config(MomentsBackend.Reference)).Output);

    private static NormalizationCase NearTenThousand(NormalizationCase step, int seed)
    {
        // Two-point data can leave a channel constant (variance 0): a positive epsilon keeps y finite there.
        return step with { Tensor = step.Tensor.Redraw(ValueDraws.NearTenThousand, seed), Epsilon = Math.Max(step.Epsilon, 1e-5) };
    }

    private static void AssertChannelMoments(NormalizationCase step)
    {
        var y = Train(step);
        var output = ChannelStatistics.Of(step.Tensor.Lengths, step.Tensor.ChannelAxis, y);
        var batch = step.Tensor.Statistics();
        var bound = OutputTolerance.Training(step, MomentTolerance.Double(step.Tensor.CountPerChannel)).PerChannel();
        var gamma = step.EffectiveGamma;
        var beta = step.EffectiveBeta;
        double summing = 4 * output.Count * step.UnitRoundoff;
        for (int c = 0; c < step.Channels; c++)
        {
            Within($"mean of y in channel {c} (beta)", beta[c], output.Mean[c], bound[c] + (summing * output.MaxAbs[c]));
            double expected = gamma[c] * gamma[c] * batch.Variance[c] / (batch.Variance[c] + step.Epsilon);
            Within(
                $"variance of y in channel {c} (gamma²·s2/(s2 + eps))",
                expected,
                output.Variance[c],
                (2 * Math.Sqrt(expected) * bound[c]) + (bound[c] * bound[c]) + (summing * output.MaxDeviation[c] * output.MaxDeviation[c]));
        }
    }
}
