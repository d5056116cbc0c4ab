using System.Numerics;
using BnNative.Moments;
using BnNative.Normalization;
using static BnNative.Tests.Properties.Normalization.NormalizationAssert;
using static BnNative.Testing.NormalizationGenerators;
using static BnNative.Testing.TensorGenerators;
using static BnNative.Tests.Properties.Normalization.StepGenerators;

namespace BnNative.Tests.Properties.Normalization;

/// <summary>
/// SPEC §5, when the moving-statistics update takes effect: collection mode returns the state unchanged plus a
/// pending transition that, applied later (one or several, in order), gives bit for bit what internal mode gives;
/// skip mode leaves the state as it was. The output never depends on the mode.
/// </summary>
public sealed class EmaUpdateProperties
{
    private const int MaxTest = 100;

    /// <summary>Longest run of steps.</summary>
    private const int MaxSteps = 4;

    /// <summary>
    /// For every <see cref="EmaAverage"/>: per step, collection's state is the input state and its output is internal's;
    /// the first pending transition applied to the initial state is internal's first next state; all pending
    /// transitions applied in order equal the internal chain, bit for bit.
    /// </summary>
    [Fact]
    public void CollectedTransitionsAppliedInOrderEqualTheInternalChain() =>
        PropertyCheck.ForAll(
            Runs(Cases(Inputs(BothTypes)), MaxSteps),
            run => run.First.Run(_ => Collect<float>(run), _ => Collect<double>(run)),
            MaxTest);

    /// <summary>Skip: the next state is the state itself, bit for bit, no transition is pending, and the output is internal's.</summary>
    [Fact]
    public void SkipLeavesTheMovingStatisticsUnchanged() =>
        PropertyCheck.ForAll(
            Cases(Inputs(BothTypes)),
            step => step.Run(Skip<float>, Skip<double>),
            MaxTest);

    private static void Collect<T>(TrainingRun run)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        foreach (var average in Enum.GetValues<EmaAverage>())
        {
            var config = run.First.Config(MomentsBackend.Auto) with { EmaAverage = average };
            var initial = run.First.State<T>();
            var chained = initial;
            var pending = new List<EmaTransition>();
            for (int k = 0; k < run.Batches.Length; k++)
            {
                var x = run.Step(k).Input<T>();
                var collected = BatchNorm.Train(x, initial, config with { EmaUpdate = EmaUpdate.Collection });
                var updated = BatchNorm.Train(x, chained, config with { EmaUpdate = EmaUpdate.Internal });
                BitwiseEqual(initial, collected.NextState);
                BitwiseEqual(updated.Output, collected.Output);
                Assert.Null(updated.PendingTransition);
                var transition = Assert.IsType<EmaTransition>(collected.PendingTransition);
                if (k == 0)
                {
                    BitwiseEqual(updated.NextState, transition.Apply(initial));
                }

                pending.Add(transition);
                chained = updated.NextState;
            }

            var applied = pending.Aggregate(initial, (state, transition) => transition.Apply(state));
            BitwiseEqual(chained, applied);
            Assert.Equal(run.Batches.Length, applied.Step);
        }
    }

    private static void Skip<T>(NormalizationCase step)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var state = step.State<T>();
        var config = step.Config(MomentsBackend.Auto);
        var skipped = BatchNorm.Train(step.Input<T>(), state, config with { EmaUpdate = EmaUpdate.Skip });
        var updated = BatchNorm.Train(step.Input<T>(), state, config with { EmaUpdate = EmaUpdate.Internal });
        BitwiseEqual(state, skipped.NextState);
        Assert.Null(skipped.PendingTransition);
        BitwiseEqual(updated.Output, skipped.Output);
        Assert.Equal(updated.BatchMoments, skipped.BatchMoments);
    }
}
