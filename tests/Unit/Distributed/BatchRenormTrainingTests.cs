using BnNative.Collections;
using BnNative.Moments;
using BnNative.Normalization;
using BnNative.Tensors;

namespace BnNative.Tests.Distributed;

/// <summary>
/// Batch renormalization (SPEC §8) worked out by hand on x [4, 4] (rank 2, channel axis 1), eps = 1e-5, rmax 3, dmax 5,
/// renorm momentum 0.8:
/// <code>
/// channel  values         mu  s2  renorm_mean  renorm_stddev  r = clip(s_B/s_R)        d = clip((mu − rm)/s_R)
/// 0        1, 3, 5, 7     4   5   3            2              sqrt(5 + eps)/2 ≈ 1.118   0.5
/// 1        0, 0, 4, 4     2   4   −8           0.5            ≈ 4 → 3 (rmax)            20 → 5 (dmax)
/// 2        −1, 1, −1, 1   0   1   100          10             ≈ 0.1 → 1/3 (1/rmax)      −10 → −5 (−dmax)
/// 3        1, 1, 1, 1     1   0   1            0              s_B = s_R = sqrt(eps): 1  0/sqrt(eps) = 0
/// </code>
/// Channel 3 checks the floor s_R = max(renorm_stddev, sqrt(eps)): without it r would be ∞ and d would be 0/0 = NaN.
/// </summary>
public sealed class BatchRenormTrainingTests
{
    private const double Eps = 1e-5;

    private static readonly double[] Data = [1, 0, -1, 1, 3, 0, 1, 1, 5, 4, -1, 1, 7, 4, 1, 1];

    private static readonly double[] Mu = [4, 2, 0, 1];

    private static readonly double[] SB = [Math.Sqrt(5 + Eps), Math.Sqrt(4 + Eps), Math.Sqrt(1 + Eps), Math.Sqrt(Eps)];

    private static readonly double[] R = [Math.Sqrt(5 + Eps) / 2, 3, 1.0 / 3, 1];

    private static readonly double[] D = [0.5, 5, -5, 0];

    private static readonly double[] Gamma = [2, 1, -1, 1];

    private static readonly double[] Beta = [0.5, 0, 1, -2];

    private static readonly BatchRenorm Renorm = new(3, 5) { Momentum = 0.8 };

    /// <summary>moving mean [1, 2, 3, 4], moving variance [9, 9, 9, 9] (ignored with renorm), step 3, the renorm state of the table, moving_stddev [1.5, 2, 0.5, 0].</summary>
    private static readonly BatchNormState<double> State = new BatchNormState<double>(
        ReadOnlyVector.Create(1.0, 2, 3, 4), ReadOnlyVector.Create(9.0, 9, 9, 9), ReadOnlyVector.Create(Gamma), ReadOnlyVector.Create(Beta), 3)
    {
        Renorm = new BatchRenormState<double>(
            ReadOnlyVector.Create(3.0, -8, 100, 1), ReadOnlyVector.Create(2.0, 0.5, 10, 0), ReadOnlyVector.Create(1.5, 2, 0.5, 0)),
    };

    private static TensorView<double> X => TensorView<double>.Create((double[])Data.Clone(), 4, 4);

    private static BatchNormConfig Config(EmaAverage average = EmaAverage.Exponential, EmaUpdate update = EmaUpdate.Internal) =>
        new() { Renorm = Renorm, EmaAverage = average, EmaUpdate = update };

    [Fact]
    public void RAndDAreClippedRatiosAgainstTheRenormStatistics()
    {
        var chunk = Assert.Single(BatchNorm.Train(X, State, Config()).Chunks);

        Near.Equal(R, chunk.R!, what: "r");
        Near.Equal(D, chunk.D!, what: "d");
        Near.Equal(SB.Select(s => 1 / s).ToArray(), chunk.InverseStd, what: "invstd");
        Assert.True(R[0] is > 1.1 and < 1.2 && R[1] == 3 && R[2] == 1.0 / 3, "the table's cases: unclipped, clipped high, clipped low");
    }

    [Fact]
    public void OutputIsGammaTimesRXhatPlusDPlusBeta()
    {
        var expected = new double[16];
        PlainLoops.Normalize(Data, expected, 4, 0, 4, Gamma, Beta, Eps, R, D);

        var y = BatchNorm.Train(X, State, Config()).Output.ToArray();

        Near.Equal(expected, y, what: "y");

        // By hand for the first row: channel 0 2·(1.118·(−3)/sqrt(5 + eps) + 0.5) + 0.5 = 2·(−1.5 + 0.5) + 0.5, channel 3 beta.
        Assert.Equal(-1.5, y[0], 12);
        Assert.Equal((1 * ((3 * -2 / SB[1]) + 5)) + 0, y[1], 12);
        Assert.Equal((-1 * ((-1 / (3 * SB[2])) - 5)) + 1, y[2], 12);
        Assert.Equal(-2, y[3]);
    }

    /// <summary>
    /// Next state with layer momentum 0.9 and renorm momentum 0.8 from step 3: moving_mean and moving_stddev follow the
    /// average (Exponential: 0.9·old + 0.1·batch; ZeroDebiased: (0.9·old·(1 − 0.9³) + 0.1·batch)/(1 − 0.9⁴);
    /// Cumulative: old + (batch − old)/4), moving_variance = max(moving_stddev² − eps, 0) (0 for channel 3, whose
    /// moving_stddev² is below eps), renorm_mean and renorm_stddev are always 0.8·old + 0.2·batch.
    /// </summary>
    [Theory]
    [InlineData(EmaAverage.Exponential)]
    [InlineData(EmaAverage.ZeroDebiased)]
    [InlineData(EmaAverage.Cumulative)]
    public void NextStateAdvancesEveryRenormField(EmaAverage average)
    {
        double Average(double old, double batch) => average switch
        {
            EmaAverage.Exponential => (0.9 * old) + (0.1 * batch),
            EmaAverage.ZeroDebiased => ((0.9 * old * (1 - (0.9 * 0.9 * 0.9))) + (0.1 * batch)) / (1 - (0.9 * 0.9 * 0.9 * 0.9)),
            _ => old + ((batch - old) / 4),
        };
        double[] oldMovingMean = [1, 2, 3, 4];
        double[] oldMovingStddev = [1.5, 2, 0.5, 0];
        double[] oldRenormMean = [3, -8, 100, 1];
        double[] oldRenormStddev = [2, 0.5, 10, 0];
        var movingStddev = oldMovingStddev.Zip(SB, Average).ToArray();

        var next = BatchNorm.Train(X, State, Config(average)).NextState;

        Near.Equal(oldMovingMean.Zip(Mu, Average).ToArray(), next.MovingMean, what: "moving_mean");
        Near.Equal(movingStddev, next.Renorm!.MovingStddev, what: "moving_stddev");
        Near.Equal(movingStddev.Select(s => Math.Max((s * s) - Eps, 0)).ToArray(), next.MovingVariance, what: "moving_variance");
        Assert.Equal(0, next.MovingVariance[3]);
        Near.Equal(oldRenormMean.Zip(Mu, (old, mu) => (0.8 * old) + (0.2 * mu)).ToArray(), next.Renorm.RenormMean, what: "renorm_mean");
        Near.Equal(oldRenormStddev.Zip(SB, (old, s) => (0.8 * old) + (0.2 * s)).ToArray(), next.Renorm.RenormStddev, what: "renorm_stddev");
        Assert.Equal(4, next.Step);
        Assert.Equal(State.Gamma, next.Gamma);
        Assert.Equal(State.Beta, next.Beta);
    }

    [Fact]
    public void TheFirstZeroDebiasedUpdateIsTheBatchValue()
    {
        var fresh = State with { Step = 0 };

        var next = BatchNorm.Train(X, fresh, Config(EmaAverage.ZeroDebiased)).NextState;

        Assert.Equal(Mu, next.MovingMean);
        Assert.Equal(SB, next.Renorm!.MovingStddev);
        Near.Equal([5, 4, 1, 0], next.MovingVariance, 1e-12, "moving_variance");
    }

    [Fact]
    public void CollectionReturnsTheRenormTransitionThatInternalApplies()
    {
        var internalStep = BatchNorm.Train(X, State, Config());

        var collected = BatchNorm.Train(X, State, Config(update: EmaUpdate.Collection));

        Assert.Same(State, collected.NextState);
        var transition = collected.PendingTransition!;
        var renorm = Assert.IsType<RenormTransition>(transition.Renorm);
        Near.Equal(SB, renorm.Stddev, what: "s_B");
        Assert.Equal((0.8, Eps), (renorm.Momentum, renorm.Epsilon));
        Near.Equal(Mu, transition.Mean, what: "mean");
        Near.Equal([5, 4, 1, 0], transition.Variance, what: "biased variance");
        Assert.Equal(internalStep.NextState, transition.Apply(State));
        Assert.Equal(internalStep.Output.ToArray(), collected.Output.ToArray());
    }

    [Fact]
    public void SkipLeavesTheRenormStateAndNeedsNoSecondElement()
    {
        var skipped = BatchNorm.Train(X, State, Config(update: EmaUpdate.Skip));

        Assert.Same(State, skipped.NextState);
        Assert.Null(skipped.PendingTransition);

        // The moving variance comes from moving_stddev, so the unbiased estimator's n ≥ 2 rule does not apply.
        var one = TensorView<double>.Create(new double[] { 1, 2 }, 1, 1, 1, 2);
        var state = BatchNormState<double>.Init(2, Config());
        var single = BatchNorm.Train(one, state, Config() with { MovingVariance = VarianceEstimator.Unbiased });
        Assert.Equal(1, single.NextState.Step);
    }

    /// <summary>A state without a renorm part starts from renorm_mean 0, renorm_stddev 1, moving_stddev 1.</summary>
    [Fact]
    public void AStateWithoutRenormStartsFromTheInitialRenormState()
    {
        var plain = new BatchNormState<double>(State.MovingMean, State.MovingVariance, State.Gamma, State.Beta, 3);
        double[] r = [Math.Min(SB[0], 3), SB[1], SB[2], 1.0 / 3];
        double[] d = [4, 2, 0, 1];

        var result = BatchNorm.Train(X, plain, Config());

        Near.Equal(r, result.Chunks[0].R!, what: "r");
        Near.Equal(d, result.Chunks[0].D!, what: "d");
        Near.Equal(Mu.Select(mu => 0.2 * mu).ToArray(), result.NextState.Renorm!.RenormMean, what: "renorm_mean");
        Near.Equal(SB.Select(s => 0.8 + (0.2 * s)).ToArray(), result.NextState.Renorm.RenormStddev, what: "renorm_stddev");
        Near.Equal(SB.Select(s => 0.9 + (0.1 * s)).ToArray(), result.NextState.Renorm.MovingStddev, what: "moving_stddev");
        Assert.Equal(BatchNorm.Train(X, plain with { Renorm = BatchRenormState<double>.Init(4) }, Config()).NextState, result.NextState);
    }

    /// <summary>SPEC §8: rmax = 1, dmax = 0 is plain batch norm's output.</summary>
    [Fact]
    public void RMaxOneDMaxZeroIsPlainBatchNorm()
    {
        var config = new BatchNormConfig { Renorm = new BatchRenorm(1, 0), EmaUpdate = EmaUpdate.Skip };

        Assert.Equal(BatchNorm.Train(X, State, config with { Renorm = null }).Output.ToArray(), BatchNorm.Train(X, State, config).Output.ToArray());
        var xf = TensorView<float>.Create(Data.Select(v => (float)v).ToArray(), 4, 4);
        var statef = BatchNormState<float>.Init(4, config) with { Gamma = ReadOnlyVector.Create(2f, 1, -1, 1), Beta = ReadOnlyVector.Create(0.5f, 0, 1, -2) };
        Assert.Equal(BatchNorm.Train(xf, statef, config with { Renorm = null }).Output.ToArray(), BatchNorm.Train(xf, statef, config).Output.ToArray());
    }

    /// <summary>SPEC §8: inference is plain batch norm with the moving statistics (r = 1, d = 0).</summary>
    [Fact]
    public void InferenceIgnoresTheRenormState()
    {
        var withoutRenorm = State with { Renorm = null };

        Assert.Equal(BatchNorm.Infer(X, withoutRenorm).Data, BatchNorm.Infer(X, State, Config()).Data);
        Assert.Equal(BatchNorm.BackwardInference(X, X, withoutRenorm).InputGradient.ToArray(), BatchNorm.BackwardInference(X, X, State, Config()).InputGradient.ToArray());
    }

    /// <summary>A renorm transition built by hand: <see cref="EmaTransition.Variance"/> is not used, the moving variance comes from moving_stddev.</summary>
    [Fact]
    public void ApplyingARenormTransitionDerivesTheMovingVariance()
    {
        var transition = new EmaTransition(ReadOnlyVector.Create(10.0, 20), ReadOnlyVector.Create(1e9, 1e9), 0.5, EmaAverage.Exponential)
        {
            Renorm = new RenormTransition(ReadOnlyVector.Create(4.0, 0.001), 0.25, 0.01),
        };
        var state = BatchNormState<float>.Init(2) with
        {
            Renorm = new BatchRenormState<float>(ReadOnlyVector.Create(2f, -2), ReadOnlyVector.Create(3f, 1), ReadOnlyVector.Create(2f, 0)),
        };

        var next = transition.Apply(state);

        Assert.Equal([5f, 10f], next.MovingMean);
        Assert.Equal([3f, 0.0005f], next.Renorm!.MovingStddev);
        Assert.Equal([(float)((3.0 * 3.0) - 0.01), 0f], next.MovingVariance);
        Assert.Equal([(0.25f * 2) + (0.75f * 10), (0.25f * -2) + (0.75f * 20)], next.Renorm.RenormMean);
        Assert.Equal([(float)((0.25 * 3) + (0.75 * 4.0)), (float)((0.25 * 1) + (0.75 * 0.001))], next.Renorm.RenormStddev);
        Assert.Equal(1, next.Step);

        // From a state without a renorm part: moving_stddev starts at 1, renorm_mean at 0, renorm_stddev at 1.
        var fromInit = transition.Apply(BatchNormState<double>.Init(2));
        Near.Equal([2.5, 0.5005], fromInit.Renorm!.MovingStddev);
        Near.Equal([7.5, 15], fromInit.Renorm.RenormMean);
        Near.Equal([3.25, 0.25075], fromInit.Renorm.RenormStddev);
        Near.Equal([(2.5 * 2.5) - 0.01, (0.5005 * 0.5005) - 0.01], fromInit.MovingVariance);
    }

    /// <summary>
    /// dy rows [1, 0, 2, −1], [0, 1, 0, 3], [−2, 1, 1, 0], [0.5, 0, −1, 1]: dbeta = Σdy, dgamma = Σdy·(r·xhat + d),
    /// dx = gamma·r·invstd·(dy − mean(dy) − xhat·mean(dy·xhat)); r and d carry no gradient.
    /// </summary>
    [Fact]
    public void BackwardScalesByRAndAddsDToTheGammaGradient()
    {
        double[] dyData = [1, 0, 2, -1, 0, 1, 0, 3, -2, 1, 1, 0, 0.5, 0, -1, 1];
        var dx = new double[16];
        var dgamma = new double[4];
        var dbeta = new double[4];
        PlainLoops.Backward(Data, dyData, dx, dgamma, dbeta, 4, 0, 4, Gamma, Eps, R, D);

        var gradients = BatchNorm.Backward(TensorView<double>.Create((double[])dyData.Clone(), 4, 4), BatchNorm.Train(X, State, Config()));

        Near.Equal(dx, gradients.InputGradient.ToArray(), 1e-12, "dx");
        Near.Equal(dgamma, gradients.GammaGradient!, 1e-12, "dgamma");
        Near.Equal(dbeta, gradients.BetaGradient!, what: "dbeta");
        Near.Equal([-0.5, 2, 2, 3], gradients.BetaGradient!, what: "dbeta");

        // Channel 3 is constant (xhat = 0): dgamma = d·Σdy = 0; channel 1 (r = 3, d = 5): Σdy·(3·xhat) + 5·2.
        Assert.Equal(0, gradients.GammaGradient![3], 12);
        double xhat1 = 2 / SB[1];
        Assert.Equal((3 * ((0 * -xhat1) + (1 * -xhat1) + (1 * xhat1) + (0 * xhat1))) + (5 * 2), gradients.GammaGradient[1], 12);
    }

    /// <summary>Ghost batch norm with renorm: each chunk gets its own r and d; Keras' source averages the chunks' s_B.</summary>
    [Fact]
    public void GhostChunksEachGetTheirOwnRAndD()
    {
        var config = Config(update: EmaUpdate.Collection) with { VirtualBatchSize = 2, GhostEma = GhostEmaSource.MeanOfChunks };

        var result = BatchNorm.Train(X, State, config);

        double[] rm = [3, -8, 100, 1];
        double[] rs = [2, 0.5, 10, 0];
        var sB = new double[8];
        for (int k = 0; k < 2; k++)
        {
            var (mean, variance) = PlainLoops.Moments(Data, 4, 2 * k, 2);
            var r = new double[4];
            var d = new double[4];
            for (int c = 0; c < 4; c++)
            {
                sB[(4 * k) + c] = Math.Sqrt(variance[c] + Eps);
                double sR = Math.Max(rs[c], Math.Sqrt(Eps));
                r[c] = Math.Clamp(sB[(4 * k) + c] / sR, 1.0 / 3, 3);
                d[c] = Math.Clamp((mean[c] - rm[c]) / sR, -5, 5);
            }

            Near.Equal(r, result.Chunks[k].R!, what: $"r of chunk {k}");
            Near.Equal(d, result.Chunks[k].D!, what: $"d of chunk {k}");
        }

        var expected = new double[16];
        PlainLoops.Normalize(Data, expected, 4, 0, 2, Gamma, Beta, Eps, [.. result.Chunks[0].R!], [.. result.Chunks[0].D!]);
        PlainLoops.Normalize(Data, expected, 4, 2, 2, Gamma, Beta, Eps, [.. result.Chunks[1].R!], [.. result.Chunks[1].D!]);
        Near.Equal(expected, result.Output.ToArray(), what: "y");
        Near.Equal(Enumerable.Range(0, 4).Select(c => (sB[c] + sB[4 + c]) / 2).ToArray(), result.PendingTransition!.Renorm!.Stddev, what: "mean of chunk s_B");
        Near.Equal([4, 2, 0, 1], result.PendingTransition.Mean, what: "mean of chunk means");
    }

    [Fact]
    public void AZeroRenormStddevWithZeroEpsilonGivesPlainBatchNormInsteadOfNaN()
    {
        // s_R = max(0, sqrt(0)) = 0 and mu equals renorm_mean: 0/0 in both factors; the limits are r = 1 (clipped) and d = 0.
        var x = TensorView<double>.Create(new double[] { 1, 3 }, 2, 1);
        var state = BatchNormState<double>.Init(1) with
        {
            Renorm = new BatchRenormState<double>(ReadOnlyVector.Create(2.0), ReadOnlyVector.Create(0.0), ReadOnlyVector.Create(1.0)),
        };
        var config = new BatchNormConfig { Epsilon = 0, EmaUpdate = EmaUpdate.Skip };

        var plain = BatchNorm.Train(x, state, config);
        var renorm = BatchNorm.Train(x, state, config with { Renorm = new BatchRenorm(1, 0) });
        var clipped = BatchNorm.Train(x, state, config with { Renorm = new BatchRenorm(3, 5) });

        Assert.Equal(plain.Output.ToArray(), renorm.Output.ToArray());
        Assert.Equal(0, renorm.Chunks[0].D![0]);
        Assert.Equal(3, clipped.Chunks[0].R![0]);
        Assert.Equal(0, clipped.Chunks[0].D![0]);
        Assert.All(clipped.Output.ToArray(), value => Assert.True(double.IsFinite(value)));
    }
}
