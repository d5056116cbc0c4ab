using System.Numerics;
using BnNative.Collections;
using BnNative.Moments;
using BnNative.Normalization;
using FsCheck.Fluent;
using static BnNative.Tests.Properties.Normalization.NormalizationAssert;
using static BnNative.Testing.NormalizationGenerators;
using static BnNative.Testing.TensorGenerators;
using static BnNative.Tests.Properties.Normalization.StepGenerators;

namespace BnNative.Tests.Properties.Normalization;

/// <summary>
/// SPEC §9: the gradients of the loss Σ w·y (w uniform in [−1, 1], passed as dy in the input's strided layout) match
/// central finite differences in double, for training mode (<see cref="BatchNorm.Backward{T}"/>, batch statistics)
/// and inference mode (<see cref="BatchNorm.BackwardInference{T}"/>, moving statistics): dx at sampled elements, dgamma
/// and dbeta for every channel. In training mode Σdx = 0 per channel. dgamma is null when Scale is off, dbeta when
/// Center is off.
/// </summary>
/// <remarks>
/// A central difference with step h is off by h²/6·f''' (truncation) plus the loss's own rounding twice over 2h.
/// The step is <see cref="RelativeStep"/> of the channel's spread sqrt(v + eps), so the truncation is about 1e-8 of
/// the gradient's scale times the third derivative's factor; <see cref="RelativeError"/> allows 1000 times that. The
/// rounding is bounded by Σ|w|·(the output bound of <see cref="OutputTolerance"/>), divided by h.
/// </remarks>
public sealed class BackwardProperties
{
    private const int MaxTest = 100;

    /// <summary>Most elements of a case: every difference runs two full steps.</summary>
    private const int MaxBackwardElements = 600;

    /// <summary>Elements of dx checked per case.</summary>
    private const int SampledElements = 4;

    /// <summary>The difference step, in units of the channel's spread sqrt(v + eps).</summary>
    private const double RelativeStep = 1e-4;

    /// <summary>Truncation allowed, relative to the gradient's scale.</summary>
    private const double RelativeError = 1e-5;

    /// <summary>
    /// Float against double, relative to the gradient's scale: float partial sums of at most 64 terms per lane are off
    /// by at most 64·2⁻²⁴ ≈ 3.8e-6 of their magnitudes, and each dx rounds a few times in float (2⁻²⁴ ≈ 6e-8 each).
    /// Over 1000 cases the largest difference used 1% of this.
    /// </summary>
    private const double FloatError = 1e-5;

    /// <summary>Training mode against central differences of Σ w·Train(x).Output; Σdx = 0 per channel.</summary>
    [Fact]
    public void TrainingGradientsMatchCentralDifferences() =>
        PropertyCheck.ForAll(
            WithSeed(Cases(Inputs(DoubleOnly, MaxBackwardElements))),
            pair =>
            {
                var check = GradientCheck.Training(pair.Case, pair.Seed);
                var gradients = check.Gradients<double>();
                check.MatchesCentralDifferences(gradients);
                check.InputGradientSumsToZero(gradients);
            },
            MaxTest);

    /// <summary>Inference mode against central differences of Σ w·Infer(x).</summary>
    [Fact]
    public void InferenceGradientsMatchCentralDifferences() =>
        PropertyCheck.ForAll(
            WithSeed(Cases(Inputs(DoubleOnly, MaxBackwardElements))),
            pair =>
            {
                var check = GradientCheck.Inference(pair.Case, pair.Seed);
                check.MatchesCentralDifferences(check.Gradients<double>());
            },
            MaxTest);

    /// <summary>
    /// The float kernels (float sums folded into double, float dx) against the double ones on the same float values,
    /// weights and state, both with the Reference backend so that the batch moments are the same: dx, dgamma and dbeta
    /// within <see cref="FloatError"/> of their scale, in training and inference mode.
    /// </summary>
    [Fact]
    public void FloatGradientsAgreeWithDouble() =>
        PropertyCheck.ForAll(
            WithSeed(Cases(Inputs(Gen.Constant(ElementType.Single), MaxBackwardElements))),
            pair =>
            {
                foreach (var check in new[] { GradientCheck.Training(pair.Case, pair.Seed), GradientCheck.Inference(pair.Case, pair.Seed) })
                {
                    check.Agree(check.Gradients<double>(), check.Gradients<float>());
                }
            },
            MaxTest);

    /// <summary>
    /// One case's loss Σ w·y (w uniform in [−1, 1] from the seed, rounded to the element type), its gradients in one
    /// mode, their central differences, and the scale each gradient is compared at. Reference backend throughout.
    /// </summary>
    private sealed class GradientCheck
    {
        private readonly NormalizationCase _step;
        private readonly bool _training;
        private readonly Random _random;
        private readonly double[] _w;
        private readonly BatchNormConfig _config;
        private readonly double[] _center;
        private readonly double[] _spread;
        private readonly double[] _meanError;
        private readonly double _noise;
        private readonly double[] _meanW;
        private readonly double[] _meanWXhat;

        private GradientCheck(NormalizationCase step, int seed, bool training)
        {
            _step = step;
            _training = training;
            _random = new Random(seed);
            _w = step.Tensor.Type.Round(step.Tensor.Values.Select(_ => ValueDraws.Uniform(_random, -1, 1)).ToArray());
            _config = step.Config(MomentsBackend.Reference);
            var statistics = step.Tensor.Statistics();
            var moments = MomentTolerance.Double(step.Tensor.CountPerChannel);
            _center = training ? statistics.Mean : step.MovingMean;
            var variance = training ? statistics.Variance : step.MovingVariance;
            _spread = variance.Select(v => Math.Sqrt(v + step.Epsilon)).ToArray();
            _meanError = moments.Bounds(statistics).Mean;
            var output = training ? OutputTolerance.Training(step, moments) : OutputTolerance.Inference(step);
            var y = Forward(step.Tensor.Values, step.State<double>());
            _noise = Enumerable.Range(0, _w.Length).Sum(j => Math.Abs(_w[j]) * (output.At(j) + (2 * step.UnitRoundoff * Math.Abs(y[j]))));
            _meanW = ChannelMeans(j => Math.Abs(_w[j]));
            _meanWXhat = ChannelMeans(j => Math.Abs(_w[j] * Xhat(j)));
        }

        /// <summary>Training mode: batch statistics, <see cref="BatchNorm.Backward{T}"/>.</summary>
        public static GradientCheck Training(NormalizationCase step, int seed) => new(step, seed, training: true);

        /// <summary>Inference mode: moving statistics, <see cref="BatchNorm.BackwardInference{T}"/>.</summary>
        public static GradientCheck Inference(NormalizationCase step, int seed) => new(step, seed, training: false);

        /// <summary>The library's gradients of the loss in element type T (dy = w in the input's layout).</summary>
        public BatchNormGradients<T> Gradients<T>()
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var dy = _step.Tensor.Layout.Store<T>(_step.Tensor.Lengths, _w);
            return _training
                ? BatchNorm.Backward(dy, BatchNorm.Train(_step.Input<T>(), _step.State<T>(), _config))
                : BatchNorm.BackwardInference(dy, _step.Input<T>(), _step.State<T>(), _config);
        }

        /// <summary>dx at <see cref="SampledElements"/> random elements, dgamma and dbeta of every channel.</summary>
        public void MatchesCentralDifferences(BatchNormGradients<double> gradients)
        {
            var values = _step.Tensor.Values;
            var state = _step.State<double>();
            for (int k = 0; k < SampledElements; k++)
            {
                int i = _random.Next(values.Length);
                double h = RelativeStep * _spread[_step.Index.At(i)];
                double difference = FiniteDifferences.Central(v => Loss(FiniteDifferences.Replace(values, i, v), state), values[i], h);
                Within($"dx[{i}]", difference, gradients.InputGradient.ToArray()[i], (RelativeError * Scale(i)) + (_noise / h));
            }

            ParameterGradient("dgamma", _step.Scale, gradients.GammaGradient, _step.Gamma, (state, gamma) => state with { Gamma = gamma }, j => Math.Abs(_w[j] * Xhat(j)));
            ParameterGradient("dbeta", _step.Center, gradients.BetaGradient, _step.Beta, (state, beta) => state with { Beta = beta }, j => Math.Abs(_w[j]));
        }

        /// <summary>Asserts the float gradients are within <see cref="FloatError"/> of the double ones, relative to their scale.</summary>
        public void Agree(BatchNormGradients<double> expected, BatchNormGradients<float> actual)
        {
            for (int i = 0; i < _w.Length; i++)
            {
                Within($"float dx[{i}]", expected.InputGradient.ToArray()[i], actual.InputGradient.ToArray()[i], FloatError * Scale(i));
            }

            Assert.Equal(expected.GammaGradient is null, actual.GammaGradient is null);
            Assert.Equal(expected.BetaGradient is null, actual.BetaGradient is null);
            for (int c = 0; c < _step.Channels; c++)
            {
                if (expected.GammaGradient is { } dgamma)
                {
                    Within($"float dgamma[{c}]", dgamma[c], actual.GammaGradient![c], FloatError * ChannelSum(c, j => Math.Abs(_w[j] * Xhat(j))));
                }

                if (expected.BetaGradient is { } dbeta)
                {
                    Within($"float dbeta[{c}]", dbeta[c], actual.BetaGradient![c], FloatError * ChannelSum(c, j => Math.Abs(_w[j])));
                }
            }
        }

        /// <summary>
        /// Σdx = a·(Σw − n·mean(w)) − a·x̂-weighted terms that cancel exactly for the exact mean; what remains is the
        /// rounding of each dx (16n·u of the scale of its terms) and the mean's error Δm, which shifts Σ(x − m) by n·Δm
        /// and so Σdx by a·Σ|w·x̂|·Δm/σ.
        /// </summary>
        public void InputGradientSumsToZero(BatchNormGradients<double> gradients)
        {
            var dx = gradients.InputGradient.ToArray();
            double n = _step.Tensor.CountPerChannel;
            for (int c = 0; c < _step.Channels; c++)
            {
                double bound = (16 * n * _step.UnitRoundoff * ChannelSum(c, Scale))
                    + (Gain(c) * ChannelSum(c, j => Math.Abs(_w[j] * Xhat(j))) * _meanError[c] / _spread[c]);
                Within($"Σdx in channel {c}", 0, ChannelSum(c, j => dx[j]), bound);
            }
        }

        /// <summary>
        /// The loss is linear in gamma and in beta, so the difference is exact but for rounding; a parameter that is not
        /// trained (Scale or Center off) has a null gradient.
        /// </summary>
        private void ParameterGradient(
            string name, bool trained, ReadOnlyVector<double>? gradient, double[] parameter,
            Func<BatchNormState<double>, ReadOnlyVector<double>, BatchNormState<double>> with, Func<int, double> term)
        {
            if (!trained)
            {
                Assert.Null(gradient);
                return;
            }

            var actual = Assert.IsType<ReadOnlyVector<double>>(gradient);
            var state = _step.State<double>();
            for (int c = 0; c < _step.Channels; c++)
            {
                double h = RelativeStep * Math.Max(1, Math.Abs(parameter[c]));
                double difference = FiniteDifferences.Central(v => Loss(_step.Tensor.Values, with(state, ReadOnlyVector.Create(FiniteDifferences.Replace(parameter, c, v)))), parameter[c], h);
                Within($"{name}[{c}]", difference, actual[c], (RelativeError * ChannelSum(c, term)) + (_noise / h));
            }
        }

        /// <summary>The scale of dx: training dx = a·(w − mean(w) − x̂·mean(w·x̂)), the sum of its terms' sizes; inference dx = a·w.</summary>
        private double Scale(int i)
        {
            int c = _step.Index.At(i);
            return _training
                ? Gain(c) * (Math.Abs(_w[i]) + _meanW[c] + (Math.Abs(Xhat(i)) * _meanWXhat[c]))
                : Gain(c) * Math.Abs(_w[i]);
        }

        private double[] Forward(double[] x, BatchNormState<double> state)
        {
            var input = _step.Tensor.Layout.Store<double>(_step.Tensor.Lengths, x);
            return _training
                ? Values(BatchNorm.Train(input, state, _config).Output)
                : Values(BatchNorm.Infer(input, state, _config).View);
        }

        private double Loss(double[] x, BatchNormState<double> state) => FiniteDifferences.Dot(_w, Forward(x, state));

        private double Gain(int c) => Math.Abs(_step.EffectiveGamma[c]) / _spread[c];

        private double Xhat(int i)
        {
            int c = _step.Index.At(i);
            return (_step.Tensor.Values[i] - _center[c]) / _spread[c];
        }

        private double ChannelSum(int c, Func<int, double> term) =>
            Enumerable.Range(0, _w.Length).Where(j => _step.Index.At(j) == c).Sum(term);

        private double[] ChannelMeans(Func<int, double> term) =>
            Enumerable.Range(0, _step.Channels).Select(c => ChannelSum(c, term) / _step.Tensor.CountPerChannel).ToArray();
    }
}
