using BnNative.Moments;
using BnNative.Normalization;
using BnNative.Tensors;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace BnNative.Tests.Properties.Package;

/// <summary>
/// The examples of docs/issue12/testing.md, verbatim but for the class around them: a user's own code that uses
/// BnNative checked against the package's oracle with its documented tolerance, once with FsCheck's own runner (any
/// test framework) and once with FsCheck.Xunit's attribute and the package's arbitraries.
/// </summary>
public sealed class UserExampleProperties
{
    [Fact]
    public void TrainingOutputMatchesTheOracle() => MyBatchNormProperties.TrainingOutputMatchesTheOracle();

    // docs/issue12/testing.md, "With FsCheck.Xunit".
    [Property(Arbitrary = [typeof(BnNativeArbitraries)], MaxTest = 100)]
    public void InferenceMatchesTheOracle(NormalizationCase step)
    {
        var output = BatchNorm.Infer(step.Input<double>(), step.State<double>(), step.Config(MomentsBackend.Auto)).View;
        OutputTolerance.Inference(step).Verify(ReferenceBatchNorm.Infer(step), output.ToArray());
    }

    // docs/issue12/testing.md, "A property of your own".
    public static class MyBatchNormProperties
    {
        // Your code that uses BnNative; here, one float32 training step.
        public static float[] MyTrainingStep(TensorView<float> x, BatchNormState<float> state, BatchNormConfig config) =>
            BatchNorm.Train(x, state, config).Output.ToArray();

        public static void TrainingOutputMatchesTheOracle()
        {
            // Shape first, then data: rank 2–5, any channel axis and layout, values around per-channel offsets.
            var inputs = TensorGenerators.Tensors(
                TensorGenerators.SingleOnly,
                ValueDraws.UniformAroundChannelOffsets(maxOffset: 1000, halfWidth: 100),
                minPerChannel: 2);
            var steps = NormalizationGenerators.Cases(inputs);

            var property = Prop.ForAll(Arb.From(steps), (NormalizationCase step) =>
            {
                var y = MyTrainingStep(step.Input<float>(), step.State<float>(), step.Config(MomentsBackend.Auto));

                var expected = ReferenceBatchNorm.Train(step);
                var tolerance = OutputTolerance.Training(step, MomentTolerance.For(step.Tensor));
                tolerance.Verify(expected, y.Select(v => (double)v).ToArray());
            });

            Check.One(Config.QuickThrowOnFailure.WithMaxTest(100), property);
        }
    }
}
