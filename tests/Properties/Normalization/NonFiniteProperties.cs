using System.Numerics;
using System.Runtime.CompilerServices;
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
/// SPEC §10, non-finite statistics, on every backend: channels poisoned with NaN, ±∞ or values whose variance overflows
/// the element type make a training step throw <see cref="NonFiniteStatisticsException"/> naming exactly those channels,
/// with the destination untouched; the clean input trains; with <see cref="BatchNormConfig.AllowNonFinite"/> the clean
/// channels' output and batch statistics are what the clean input gives, within the usual tolerances.
/// </summary>
public sealed class NonFiniteProperties
{
    private const int MaxTest = 50;

    /// <summary>Small cases: each one is trained twice or three times per backend.</summary>
    private const int MaxElements = 1500;

    private const double Sentinel = 7;

    private static Gen<(NonFiniteCase Case, EmaUpdate Update)> Cases { get; } =
        from poisoned in NonFiniteCase.From(NormalizationGenerators.Cases(Inputs(BothTypes, MaxElements)))
        from update in Gen.Elements(EmaUpdate.Internal, EmaUpdate.Collection, EmaUpdate.Skip)
        select (poisoned, update);

    [BackendTheory]
    public void ThePoisonedChannelsAreNamedAndNothingIsWritten(string backend) =>
        ForAll(backend, allowNonFinite: false, AssertRefused<float>, AssertRefused<double>);

    [BackendTheory]
    public void AllowNonFiniteLeavesTheCleanChannelsAsTheCleanInputGives(string backend) =>
        ForAll(backend, allowNonFinite: true, AssertCleanChannels<float>, AssertCleanChannels<double>);

    /// <summary>Checks the float or double instance of a property on every case, with the case's config on <paramref name="backend"/>.</summary>
    private static void ForAll(
        string backend, bool allowNonFinite, Action<NonFiniteCase, BatchNormConfig> single, Action<NonFiniteCase, BatchNormConfig> @double,
        [CallerMemberName] string name = "")
    {
        var moments = TestBackends.Get(backend);
        PropertyCheck.ForAll(
            Cases,
            pair =>
            {
                var config = pair.Case.Poisoned.Config(moments, pair.Update) with { AllowNonFinite = allowNonFinite };
                (pair.Case.Poisoned.Tensor.Type == ElementType.Single ? single : @double)(pair.Case, config);
            },
            MaxTest,
            name);
    }

    private static void AssertRefused<T>(NonFiniteCase poisoned, BatchNormConfig config)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var step = poisoned.Poisoned;
        var destination = step.Tensor.Layout.Store<T>(step.Tensor.Lengths, Enumerable.Repeat(Sentinel, step.Tensor.Values.Length).ToArray());

        var error = Assert.Throws<NonFiniteStatisticsException>(() => BatchNorm.Train(step.Input<T>(), step.State<T>(), config, destination));

        Assert.Equal("x", error.ParamName);
        Assert.Equal(poisoned.Channels, error.Channels);
        Assert.All(destination.ToArray(), value => Assert.Equal(T.CreateTruncating(Sentinel), value));
        _ = BatchNorm.Train(poisoned.Clean.Input<T>(), poisoned.Clean.State<T>(), config);
    }

    private static void AssertCleanChannels<T>(NonFiniteCase poisoned, BatchNormConfig config)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var clean = poisoned.Clean;
        var result = BatchNorm.Train(poisoned.Poisoned.Input<T>(), poisoned.Poisoned.State<T>(), config);

        var statistics = clean.Tensor.Statistics();
        var tolerance = MomentTolerance.For(clean.Tensor);
        var (meanError, varianceError) = tolerance.Bounds(statistics);
        var variance = result.BatchMoments.Variance();
        var output = OutputTolerance.Training(clean, tolerance);
        var expected = ReferenceBatchNorm.Train(clean);
        var actual = Values(result.Output);
        for (int c = 0; c < clean.Channels; c++)
        {
            if (!poisoned.IsPoisoned(c))
            {
                Within($"batch mean[{c}]", statistics.Mean[c], result.BatchMoments.Mean[c], meanError[c]);
                Within($"batch variance[{c}]", statistics.Variance[c], variance[c], varianceError[c]);
            }
        }

        for (int i = 0; i < actual.Length; i++)
        {
            if (!poisoned.IsPoisoned(clean.Index.At(i)))
            {
                Within($"y[{i}] (channel {clean.Index.At(i)})", expected[i], actual[i], output.At(i));
            }
        }
    }
}
