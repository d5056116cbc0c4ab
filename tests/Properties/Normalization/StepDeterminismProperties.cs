using System.Numerics;
using BnNative.Normalization;
using BnNative.Tensors;

namespace BnNative.Tests.Properties.Normalization;

/// <summary>
/// SPEC §3 for the whole step, not only the moments: every pass (moments, normalization, gradient sums, input gradient)
/// runs on BatchNormConfig.Threads threads in fixed chunks, so a training step, its backward pass, inference and the
/// inference backward are bitwise the same for 1, 2 and 3 threads. The tensors span several chunks.
/// </summary>
public sealed class StepDeterminismProperties
{
    private const int MaxTest = 8;

    [BackendTheory]
    public void EveryPassIsBitwiseTheSameForAnyThreadCount(string backend)
    {
        var moments = TestBackends.Get(backend);
        PropertyCheck.ForAll(
            NormalizationGenerators.Cases(TensorGenerators.LargeTensors(TensorGenerators.BothTypes, ValueDraws.Standard)),
            x => x.Run(Check<float>, Check<double>),
            MaxTest);

        void Check<T>(NormalizationCase x)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var one = Step<T>(x, moments, threads: 1);
            foreach (int threads in new[] { 2, 3 })
            {
                var other = Step<T>(x, moments, threads);
                for (int k = 0; k < one.Length; k++)
                {
                    Assert.True(one[k].SequenceEqual(other[k]), $"output {k} differs between 1 and {threads} threads");
                }
            }
        }
    }

    /// <summary>The step's output, next state, dx, dgamma, dbeta, the inference output and the inference dx, as bits.</summary>
    private static long[][] Step<T>(NormalizationCase x, Moments.MomentsBackend moments, int threads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var input = x.Input<T>();
        var config = x.Config(moments, EmaUpdate.Internal) with { Threads = threads };
        var dyValues = new T[input.ElementCount];
        for (int i = 0; i < dyValues.Length; i++)
        {
            dyValues[i] = T.CreateTruncating(Math.Sin(i * 0.37));
        }

        var dy = TensorView<T>.Create(dyValues, input.Lengths);
        var train = BatchNorm.Train(input, x.State<T>(), config);
        var gradients = BatchNorm.Backward(dy, train);
        var inferred = BatchNorm.Infer(input, x.State<T>(), config);
        var inferenceGradients = BatchNorm.BackwardInference(dy, input, x.State<T>(), config);
        return
        [
            Bits(train.Output.ToArray()),
            Bits([.. train.NextState.MovingMean, .. train.NextState.MovingVariance]),
            Bits(gradients.InputGradient.ToArray()),
            Bits([.. (IEnumerable<T>?)gradients.GammaGradient ?? [], .. (IEnumerable<T>?)gradients.BetaGradient ?? []]),
            Bits(inferred.View.ToArray()),
            Bits(inferenceGradients.InputGradient.ToArray()),
        ];
    }

    private static long[] Bits<T>(IEnumerable<T> values)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        values.Select(v => BitConverter.DoubleToInt64Bits(double.CreateTruncating(v))).ToArray();
}
