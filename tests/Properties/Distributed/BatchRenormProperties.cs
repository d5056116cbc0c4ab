using System.Globalization;
using System.Numerics;
using BnNative.Collections;
using BnNative.Moments;
using BnNative.Normalization;
using BnNative.Tests.Properties.Normalization;
using FsCheck.Fluent;
using static BnNative.Tests.Properties.Distributed.DistributedAssert;
using static BnNative.Tests.Properties.Distributed.DistributedGenerators;
using static BnNative.Tests.Properties.Normalization.NormalizationAssert;
using static BnNative.Testing.NormalizationGenerators;
using static BnNative.Testing.TensorGenerators;
using static BnNative.Tests.Properties.Normalization.StepGenerators;

namespace BnNative.Tests.Properties.Distributed;

/// <summary>
/// SPEC §8, batch renormalization on every backend, rank 2 and rank 4 in both data formats, any layout, with and
/// without ghost chunks: rmax = 1, dmax = 0 is plain batch norm; r and d stay within their clip bounds and equal their
/// definitions; the output is gamma·(r·(x − mu)/sqrt(s2 + eps) + d) + beta; and the backward pass is the gradient of
/// that output with r and d held constant.
/// </summary>
public sealed class BatchRenormProperties
{
    private const int MaxTest = 100;

    /// <summary>Unit roundoff of double.</summary>
    private static readonly double DoubleRoundoff = Math.ScaleB(1, -53);

    /// <summary>
    /// rmax = 1, dmax = 0: every chunk has r = 1 and d = 0, so output, batch moments, dx, dgamma, dbeta and the moving
    /// mean (internal update) are plain batch norm's bit for bit (r = 1 and d = ±0 enter the same operations exactly).
    /// </summary>
    [BackendTheory]
    public void UnitBoundsArePlainBatchNorm(string backend)
    {
        var moments = TestBackends.Get(backend);
        PropertyCheck.ForAll(
            from pair in WithSeed(RenormSteps(BothTypes, StepSizes.Default))
            select (Case: pair.Case with { RMax = 1, DMax = 0 }, pair.Seed),
            pair => pair.Case.Step.Run(_ => UnitBounds<float>(pair.Case, pair.Seed, moments), _ => UnitBounds<double>(pair.Case, pair.Seed, moments)),
            MaxTest);
    }

    /// <summary>
    /// For random renorm states and bounds: every chunk's r lies in [1/rmax, rmax] and d in [−dmax, dmax]; both equal
    /// clip(s_B/s_R, 1/rmax, rmax) and clip((mu − renorm_mean)/s_R, −dmax, dmax) computed from the chunk's exact
    /// statistics; and the output equals gamma·(r·(x − mu)/s_B + d) + beta evaluated in a plain double loop, all within
    /// the chunk's moment bounds.
    /// </summary>
    [BackendTheory]
    public void FactorsAreClippedAndOutputFollowsTheirDefinition(string backend)
    {
        var moments = TestBackends.Get(backend);
        PropertyCheck.ForAll(
            RenormSteps(BothTypes, StepSizes.Default),
            renorm => renorm.Step.Run(_ => Factors<float>(renorm, moments), _ => Factors<double>(renorm, moments)),
            MaxTest);
    }

    /// <summary>
    /// In double, on small tensors, the gradients of Σ w·y match central finite differences of the loss evaluated with r
    /// and d frozen at the step's values (<see cref="FrozenFactors"/>): dx at sampled elements, dgamma and dbeta per channel.
    /// </summary>
    [BackendTheory]
    public void GradientsMatchCentralDifferencesWithFrozenFactors(string backend)
    {
        var moments = TestBackends.Get(backend);
        PropertyCheck.ForAll(
            WithSeed(RenormSteps(DoubleOnly, StepSizes.Gradient)),
            pair => new FrozenFactors(pair.Case, pair.Seed, moments).MatchesCentralDifferences(),
            MaxTest);
    }

    private static void UnitBounds<T>(RenormCase renorm, int seed, MomentsBackend moments)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var step = renorm.Step;
        var x = step.Input<T>();
        var dy = step.Tensor.Layout.Store<T>(step.Tensor.Lengths, Weights(step.Tensor, new Random(seed)));
        var state = renorm.State<T>();
        var plain = BatchNorm.Train(x, state, renorm.PlainConfig(moments, EmaUpdate.Internal));
        var result = BatchNorm.Train(x, state, renorm.Config(moments, EmaUpdate.Internal));
        foreach (var chunk in result.Chunks)
        {
            Assert.All(Assert.IsType<ReadOnlyVector<double>>(chunk.R), r => Assert.Equal(1.0, r));
            Assert.All(Assert.IsType<ReadOnlyVector<double>>(chunk.D), d => Assert.Equal(0.0, d));
        }

        BitwiseEqual(plain.Output, result.Output);
        BitwiseEqual(plain.BatchMoments, result.BatchMoments);
        BitwiseEqual(plain.NextState.MovingMean, result.NextState.MovingMean);
        Assert.Equal(plain.NextState.Step, result.NextState.Step);
        BitwiseEqual(BatchNorm.Backward(dy, plain), BatchNorm.Backward(dy, result));
    }

    /// <summary>
    /// Bounds, per chunk and channel, from the backend's moment bounds Δm, Δv (<see cref="MomentBounds.Of"/>) and
    /// ρ = Δv/(2(s2 + eps)), the relative error of s_B: r is off by at most 2ρ·r (clipping only shrinks a difference) and
    /// d by Δm/s_R plus the rounding of mu − renorm_mean. An element at distance |x − mu| is then off by
    /// |gamma|·(Δr·|x − mu|/s_B + r·(Δm + |x − mu|·ρ)/s_B + Δd), plus 8u of the terms' sizes (OutputTolerance's rounding).
    /// </summary>
    private static void Factors<T>(RenormCase renorm, MomentsBackend moments)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var step = renorm.Step;
        var result = BatchNorm.Train(step.Input<T>(), renorm.State<T>(), renorm.Config(moments));
        var actual = Values(result.Output);
        var parts = renorm.Chunks;
        Assert.Equal(parts.Length, result.Chunks.Count);
        var gamma = step.EffectiveGamma;
        var beta = step.EffectiveBeta;
        for (int k = 0; k < parts.Length; k++)
        {
            var chunk = result.Chunks[k];
            Assert.Equal(parts[k], new BatchPart(chunk.Start, chunk.Length));
            var r = Assert.IsType<ReadOnlyVector<double>>(chunk.R);
            var d = Assert.IsType<ReadOnlyVector<double>>(chunk.D);
            var tensor = parts[k].Of(step.Tensor);
            var statistics = tensor.Statistics();
            var bounds = MomentBounds.Of(tensor);
            var expectedR = new double[step.Channels];
            var expectedD = new double[step.Channels];
            var boundR = new double[step.Channels];
            var boundD = new double[step.Channels];
            for (int c = 0; c < step.Channels; c++)
            {
                Assert.InRange(r[c], 1 / renorm.RMax, renorm.RMax);
                Assert.InRange(d[c], -renorm.DMax, renorm.DMax);
                double square = statistics.Variance[c] + step.Epsilon;
                double renormScale = renorm.RenormScale(c);
                double relative = bounds.Variance[c] / (2 * square);
                expectedR[c] = Math.Clamp(Math.Sqrt(square) / renormScale, 1 / renorm.RMax, renorm.RMax);
                expectedD[c] = Math.Clamp((statistics.Mean[c] - renorm.RenormMean[c]) / renormScale, -renorm.DMax, renorm.DMax);
                boundR[c] = expectedR[c] * ((2 * relative) + (8 * DoubleRoundoff));
                boundD[c] = (bounds.Mean[c] + (8 * DoubleRoundoff * (Math.Abs(statistics.Mean[c]) + Math.Abs(renorm.RenormMean[c])))) / renormScale;
                Within($"r[{c}] of chunk {k}", expectedR[c], r[c], boundR[c]);
                Within($"d[{c}] of chunk {k}", expectedD[c], d[c], boundD[c]);
            }

            var positions = parts[k].Positions(step.Tensor.Lengths);
            for (int i = positions.Start.Value; i < positions.End.Value; i++)
            {
                int c = step.Index.At(i);
                double spread = Math.Sqrt(statistics.Variance[c] + step.Epsilon);
                double centered = step.Tensor.Values[i] - statistics.Mean[c];
                double distance = Math.Abs(centered);
                double expected = (gamma[c] * ((expectedR[c] * centered / spread) + expectedD[c])) + beta[c];
                double statisticsTerm = Math.Abs(gamma[c]) * ((boundR[c] * distance / spread)
                    + (expectedR[c] * (bounds.Mean[c] + (distance * bounds.Variance[c] / (2 * spread * spread))) / spread) + boundD[c]);
                double rounding = 8 * step.UnitRoundoff
                    * ((Math.Abs(gamma[c] * expectedR[c]) * distance / spread) + Math.Abs(gamma[c] * expectedD[c]) + Math.Abs(beta[c]));
                Within(
                    string.Create(CultureInfo.InvariantCulture, $"y at row-major {i} (chunk {k}, channel {c}, x = {step.Tensor.Values[i]})"),
                    expected,
                    actual[i],
                    statisticsTerm + rounding);
            }
        }
    }

    /// <summary>
    /// One renorm case's loss Σ w·y (w uniform in [−1, 1] from the seed), the library's gradients of it in double, and
    /// the reference: y = gamma·(r·(x − mu)/sqrt(s2 + eps) + d) + beta per chunk, mu and s2 the chunk's statistics of the
    /// (perturbed) input in two plain double passes, r and d frozen at the unperturbed step's values.
    /// </summary>
    /// <remarks>
    /// As in BackwardProperties: the step is <see cref="RelativeStep"/> of the chunk's spread sqrt(s2 + eps) (or of
    /// max(1, |parameter|)), the truncation error is allowed <see cref="RelativeError"/> of the gradient's scale, and the
    /// loss's rounding, Σ|w|·(the reference output's bound + 2u·|y|), is divided by the step.
    /// </remarks>
    private sealed class FrozenFactors
    {
        /// <summary>The difference step, in units of the chunk's spread.</summary>
        private const double RelativeStep = 1e-4;

        /// <summary>Truncation allowed, relative to the gradient's scale.</summary>
        private const double RelativeError = 1e-5;

        /// <summary>Elements of dx checked per case.</summary>
        private const int SampledElements = 4;

        private readonly NormalizationCase _step;
        private readonly BatchPart[] _parts;
        private readonly Random _random;
        private readonly double[] _w;
        private readonly double[][] _r;
        private readonly double[][] _d;
        private readonly double[][] _mean;
        private readonly double[][] _spread;
        private readonly double _noise;
        private readonly BatchNormGradients<double> _gradients;

        public FrozenFactors(RenormCase renorm, int seed, MomentsBackend moments)
        {
            _step = renorm.Step;
            _parts = renorm.Chunks;
            _random = new Random(seed);
            _w = Weights(_step.Tensor, _random);
            var train = BatchNorm.Train(_step.Input<double>(), renorm.State<double>(), renorm.Config(moments));
            _gradients = BatchNorm.Backward(_step.Tensor.Layout.Store<double>(_step.Tensor.Lengths, _w), train);
            _r = train.Chunks.Select(chunk => chunk.R!.ToArray()).ToArray();
            _d = train.Chunks.Select(chunk => chunk.D!.ToArray()).ToArray();
            var statistics = _parts.Select(part => part.Of(_step.Tensor).Statistics()).ToArray();
            _mean = statistics.Select(s => s.Mean).ToArray();
            _spread = statistics.Select(s => s.Variance.Select(v => Math.Sqrt(v + _step.Epsilon)).ToArray()).ToArray();
            var bounds = _parts.Select(part => MomentBounds.DoubleLoop(part.Of(_step.Tensor))).ToArray();
            var y = Forward(_step.Tensor.Values, _step.EffectiveGamma, _step.EffectiveBeta);
            double u = _step.UnitRoundoff;
            _noise = 0;
            for (int i = 0; i < _w.Length; i++)
            {
                var (k, c) = Locate(i);
                double gain = Math.Abs(_step.EffectiveGamma[c]) * _r[k][c] / _spread[k][c];
                double distance = Math.Abs(_step.Tensor.Values[i] - _mean[k][c]);
                double square = _spread[k][c] * _spread[k][c];
                double output = (gain * (bounds[k].Mean[c] + (distance * bounds[k].Variance[c] / (2 * square))))
                    + (8 * u * ((gain * distance) + Math.Abs(_step.EffectiveGamma[c] * _d[k][c]) + Math.Abs(_step.EffectiveBeta[c])));
                _noise += Math.Abs(_w[i]) * (output + (2 * u * Math.Abs(y[i])));
            }
        }

        /// <summary>dx at <see cref="SampledElements"/> random elements, dgamma and dbeta of every channel.</summary>
        public void MatchesCentralDifferences()
        {
            var values = _step.Tensor.Values;
            var gamma = _step.EffectiveGamma;
            var beta = _step.EffectiveBeta;
            var dx = _gradients.InputGradient.ToArray();
            for (int sample = 0; sample < SampledElements; sample++)
            {
                int i = _random.Next(values.Length);
                var (k, c) = Locate(i);
                double h = RelativeStep * _spread[k][c];
                double difference = FiniteDifferences.Central(v => Loss(FiniteDifferences.Replace(values, i, v), gamma, beta), values[i], h);
                Within($"dx[{i}] (chunk {k}, channel {c})", difference, dx[i], (RelativeError * InputScale(i)) + (_noise / h));
            }

            ParameterGradient("dgamma", _step.Scale, _gradients.GammaGradient, gamma, (g, c) => Loss(values, FiniteDifferences.Replace(gamma, c, g), beta), (i, k, c) => Math.Abs(_w[i]) * (Math.Abs(_r[k][c] * Xhat(i)) + Math.Abs(_d[k][c])));
            ParameterGradient("dbeta", _step.Center, _gradients.BetaGradient, beta, (b, c) => Loss(values, gamma, FiniteDifferences.Replace(beta, c, b)), (i, _, _) => Math.Abs(_w[i]));
        }

        /// <summary>The loss is linear in gamma and beta: the difference is exact but for rounding. An untrained parameter has a null gradient.</summary>
        private void ParameterGradient(
            string name, bool trained, ReadOnlyVector<double>? gradient, double[] parameter, Func<double, int, double> loss, Func<int, int, int, double> term)
        {
            if (!trained)
            {
                Assert.Null(gradient);
                return;
            }

            var actual = Assert.IsType<ReadOnlyVector<double>>(gradient);
            for (int c = 0; c < _step.Channels; c++)
            {
                int channel = c;
                double h = RelativeStep * Math.Max(1, Math.Abs(parameter[c]));
                double difference = FiniteDifferences.Central(v => loss(v, channel), parameter[c], h);
                double scale = Enumerable.Range(0, _w.Length).Where(i => _step.Index.At(i) == channel).Sum(i => term(i, Locate(i).Chunk, channel));
                Within($"{name}[{c}]", difference, actual[c], (RelativeError * scale) + (_noise / h));
            }
        }

        /// <summary>The reference forward pass with r and d frozen.</summary>
        private double[] Forward(double[] x, double[] gamma, double[] beta)
        {
            var y = new double[x.Length];
            var index = _step.Index;
            for (int k = 0; k < _parts.Length; k++)
            {
                var positions = _parts[k].Positions(_step.Tensor.Lengths);
                var mean = new double[_step.Channels];
                var m2 = new double[_step.Channels];
                long n = _step.Tensor.CountPerChannel / _parts.Length;
                for (int i = positions.Start.Value; i < positions.End.Value; i++)
                {
                    mean[index.At(i)] += x[i];
                }

                for (int c = 0; c < mean.Length; c++)
                {
                    mean[c] /= n;
                }

                for (int i = positions.Start.Value; i < positions.End.Value; i++)
                {
                    double deviation = x[i] - mean[index.At(i)];
                    m2[index.At(i)] += deviation * deviation;
                }

                for (int i = positions.Start.Value; i < positions.End.Value; i++)
                {
                    int c = index.At(i);
                    double xhat = (x[i] - mean[c]) / Math.Sqrt((m2[c] / n) + _step.Epsilon);
                    y[i] = (gamma[c] * ((_r[k][c] * xhat) + _d[k][c])) + beta[c];
                }
            }

            return y;
        }

        private double Loss(double[] x, double[] gamma, double[] beta) => FiniteDifferences.Dot(_w, Forward(x, gamma, beta));

        /// <summary>
        /// The scale of dx with r and d frozen: dx = a·(w − mean(w) − x̂·mean(w·x̂)), a = gamma·r/s_B, over the chunk; the sum
        /// of its terms' sizes.
        /// </summary>
        private double InputScale(int i)
        {
            var (k, c) = Locate(i);
            var positions = _parts[k].Positions(_step.Tensor.Lengths);
            var members = Enumerable.Range(positions.Start.Value, positions.End.Value - positions.Start.Value).Where(j => _step.Index.At(j) == c).ToArray();
            double meanW = members.Average(j => Math.Abs(_w[j]));
            double meanWXhat = members.Average(j => Math.Abs(_w[j] * Xhat(j)));
            double gain = Math.Abs(_step.EffectiveGamma[c]) * _r[k][c] / _spread[k][c];
            return gain * (Math.Abs(_w[i]) + meanW + (Math.Abs(Xhat(i)) * meanWXhat));
        }

        private double Xhat(int i)
        {
            var (k, c) = Locate(i);
            return (_step.Tensor.Values[i] - _mean[k][c]) / _spread[k][c];
        }

        /// <summary>The chunk and channel of row-major position <paramref name="i"/>.</summary>
        private (int Chunk, int Channel) Locate(int i)
        {
            int perChunk = _step.Tensor.Values.Length / _parts.Length;
            return (i / perChunk, _step.Index.At(i));
        }
    }
}
