using System.Numerics;
using BnNative.Collections;
using BnNative.Normalization;
using BnNative.Sync;
using BnNative.Tensors;

namespace BnNative.Demo;

/// <summary>
/// The demo's multilayer perceptron, built only from BnNative pieces: dense layers (gemm over [rows, features] tensor
/// views, transposes as permuted views), optional BatchNorm after each hidden dense layer (training steps, EMA state, backward; synchronized across
/// workers when an exchange is given), ReLU, and a final dense layer producing class logits. With batch norm the hidden
/// dense layers have no bias (beta plays its part).
/// </summary>
/// <typeparam name="T">float for training, double for the gradient check.</typeparam>
internal sealed class Mlp<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly MatrixMultiply _gemm;
    private readonly int[] _widths;
    private readonly Parameter<T>[] _weights;
    private readonly Parameter<T>?[] _biases;
    private readonly Parameter<T>[] _gammas;
    private readonly Parameter<T>[] _betas;
    private readonly BatchNormState<T>[] _states;
    private readonly List<Parameter<T>> _parameters = [];
    private readonly T[][] _inputs;
    private readonly T[][] _preActivations;
    private readonly BatchNormTrainResult<T>?[] _steps;
    private int _rows;

    /// <summary>Creates the network with He-initialized weights from <paramref name="random"/>.</summary>
    /// <param name="widths">Layer widths: inputs, hidden..., classes.</param>
    /// <param name="batchNorm">The BatchNorm settings of every hidden layer, or null for no batch norm.</param>
    /// <param name="gemm">What multiplies matrices.</param>
    /// <param name="random">Source of the initial weights.</param>
    public Mlp(int[] widths, BatchNormConfig? batchNorm, MatrixMultiply gemm, Random random)
    {
        _gemm = gemm;
        _widths = widths;
        BatchNormConfig = batchNorm;
        int layers = widths.Length - 1;
        _weights = new Parameter<T>[layers];
        _biases = new Parameter<T>?[layers];
        int hidden = layers - 1;
        _gammas = new Parameter<T>[batchNorm is null ? 0 : hidden];
        _betas = new Parameter<T>[_gammas.Length];
        _states = new BatchNormState<T>[_gammas.Length];
        _inputs = new T[layers][];
        _preActivations = new T[layers][];
        _steps = new BatchNormTrainResult<T>?[_gammas.Length];
        for (int l = 0; l < layers; l++)
        {
            int fanIn = widths[l];
            int fanOut = widths[l + 1];
            double scale = Math.Sqrt(2.0 / fanIn);
            var w = new T[fanIn * fanOut];
            for (int i = 0; i < w.Length; i++)
            {
                w[i] = T.CreateTruncating(scale * Gaussian(random));
            }

            _weights[l] = Add(new Parameter<T>($"dense{l + 1}/W", w));
            bool bias = batchNorm is null || l == layers - 1;
            _biases[l] = bias ? Add(new Parameter<T>($"dense{l + 1}/b", new T[fanOut])) : null;
            if (batchNorm is not null && l < hidden)
            {
                _states[l] = BatchNormState<T>.Init(fanOut, batchNorm);
                _gammas[l] = Add(new Parameter<T>($"bn{l + 1}/gamma", _states[l].Gamma.ToArray()));
                _betas[l] = Add(new Parameter<T>($"bn{l + 1}/beta", _states[l].Beta.ToArray()));
            }
        }
    }

    /// <summary>The BatchNorm settings, or null without batch norm.</summary>
    public BatchNormConfig? BatchNormConfig { get; }

    /// <summary>Every trainable parameter, in layer order.</summary>
    public IReadOnlyList<Parameter<T>> Parameters => _parameters;

    /// <summary>Number of classes.</summary>
    public int Classes => _widths[^1];

    /// <summary>Number of input features.</summary>
    public int Inputs => _widths[0];

    /// <summary>The BatchNorm layers' states, with the current gamma and beta.</summary>
    public IReadOnlyList<BatchNormState<T>> States =>
        _states.Select((state, l) => WithParameters(state, l)).ToArray();

    /// <summary>The last training step of each BatchNorm layer (its batch statistics), for the convergence trace.</summary>
    public IReadOnlyList<BatchNormTrainResult<T>?> LastSteps => _steps;

    /// <summary>Replaces the BatchNorm states (moving statistics and gamma/beta), for example with reloaded ones.</summary>
    public void LoadStates(IReadOnlyList<BatchNormState<T>> states)
    {
        for (int l = 0; l < _states.Length; l++)
        {
            _states[l] = states[l];
            states[l].Gamma.AsSpan().CopyTo(_gammas[l].Value);
            states[l].Beta.AsSpan().CopyTo(_betas[l].Value);
        }
    }

    /// <summary>
    /// Forward pass over <paramref name="rows"/> samples (row-major [rows, inputs]). Training uses batch statistics
    /// (synchronized over <paramref name="sync"/> when given) and keeps what backward needs; inference uses the moving statistics.
    /// </summary>
    /// <param name="x">Row-major input.</param>
    /// <param name="rows">Number of samples.</param>
    /// <param name="training">Batch statistics (true) or moving statistics (false).</param>
    /// <param name="sync">The exchange of a data-parallel run, or null.</param>
    /// <param name="wholeBatch">In training mode, normalize all rows as one batch even when the config has a virtual batch size
    /// (for evaluating a remainder smaller than a ghost chunk).</param>
    public T[] Forward(T[] x, int rows, bool training, IStatisticsExchange? sync = null, bool wholeBatch = false)
    {
        _rows = rows;
        var activations = x;
        int layers = _weights.Length;
        for (int l = 0; l < layers; l++)
        {
            int fanIn = _widths[l];
            int fanOut = _widths[l + 1];
            _inputs[l] = activations;
            var z = new T[rows * fanOut];
            var weights = TensorView<T>.Create(_weights[l].Value, fanIn, fanOut);
            _gemm.Multiply(TensorView<T>.Create(activations, rows, fanIn), weights, TensorView<T>.Create(z, rows, fanOut));
            if (_biases[l] is { } bias)
            {
                for (int i = 0; i < rows; i++)
                {
                    for (int j = 0; j < fanOut; j++)
                    {
                        z[(i * fanOut) + j] += bias.Value[j];
                    }
                }
            }

            if (l == layers - 1)
            {
                return z;
            }

            if (BatchNormConfig is { } layerConfig)
            {
                var config = wholeBatch ? layerConfig with { VirtualBatchSize = null } : layerConfig;
                var view = TensorView<T>.Create(z, rows, fanOut);
                var used = WithParameters(_states[l], l);
                if (training)
                {
                    var step = sync is null ? BatchNorm.Train(view, used, config) : BatchNorm.Train(view, used, config, sync);
                    _steps[l] = step;
                    z = step.Output.ToArray();
                }
                else
                {
                    z = BatchNorm.Infer(view, used, config).View.ToArray();
                }
            }

            _preActivations[l] = z;
            var a = new T[z.Length];
            for (int i = 0; i < z.Length; i++)
            {
                a[i] = T.Max(z[i], T.Zero);
            }

            activations = a;
        }

        throw new InvalidOperationException("The network has no layers.");
    }

    /// <summary>
    /// Backward pass of the last training forward: fills every parameter's gradient from dL/dlogits and returns dL/dx.
    /// Under <paramref name="sync"/> the dense gradients are summed over the workers (in rank order); BatchNorm's
    /// gamma/beta gradients come back global from its synchronized backward.
    /// </summary>
    public T[] Backward(T[] logitGradient, IStatisticsExchange? sync = null)
    {
        int rows = _rows;
        var upstream = logitGradient;
        for (int l = _weights.Length - 1; l >= 0; l--)
        {
            int fanIn = _widths[l];
            int fanOut = _widths[l + 1];
            if (l < _weights.Length - 1)
            {
                var z = _preActivations[l];
                var dz = new T[upstream.Length];
                for (int i = 0; i < dz.Length; i++)
                {
                    dz[i] = z[i] > T.Zero ? upstream[i] : T.Zero;
                }

                if (BatchNormConfig is not null)
                {
                    var gradients = BatchNorm.Backward(TensorView<T>.Create(dz, rows, fanOut), _steps[l]!);
                    dz = gradients.InputGradient.ToArray();
                    CopyOrZero(gradients.GammaGradient, _gammas[l].Gradient);
                    CopyOrZero(gradients.BetaGradient, _betas[l].Gradient);
                }

                upstream = dz;
            }

            // dW = xᵀ·dz and dx = dz·Wᵀ: the transposes are permuted views, which gemm reads with its transpose flags.
            var gradient = TensorView<T>.Create(upstream, rows, fanOut);
            var weights = TensorView<T>.Create(_weights[l].Value, fanIn, fanOut);
            _gemm.Multiply(TensorView<T>.Create(_inputs[l], rows, fanIn).Permute(1, 0), gradient, TensorView<T>.Create(_weights[l].Gradient, fanIn, fanOut));
            if (_biases[l] is { } bias)
            {
                Array.Clear(bias.Gradient);
                for (int i = 0; i < rows; i++)
                {
                    for (int j = 0; j < fanOut; j++)
                    {
                        bias.Gradient[j] += upstream[(i * fanOut) + j];
                    }
                }
            }

            var below = new T[rows * fanIn];
            _gemm.Multiply(gradient, weights.Permute(1, 0), TensorView<T>.Create(below, rows, fanIn));
            upstream = below;
        }

        if (sync is not null)
        {
            foreach (var parameter in _weights.Concat(_biases.OfType<Parameter<T>>()))
            {
                var sums = parameter.Gradient.Select(double.CreateTruncating).ToArray();
                sync.AllSum(sums);
                for (int i = 0; i < sums.Length; i++)
                {
                    parameter.Gradient[i] = T.CreateTruncating(sums[i]);
                }
            }
        }

        return upstream;
    }

    /// <summary>
    /// Advances the moving statistics after a training step, per the EMA mode (the step's committed state): internal takes
    /// the step's next state; collection applies the step's pending transition (the same result, as a separate pure step);
    /// skip keeps them. Gamma and beta live in the parameters, so the committed state's copies are overwritten before use.
    /// </summary>
    public void CommitMovingStatistics()
    {
        for (int l = 0; l < _states.Length; l++)
        {
            if (_steps[l] is not { } step)
            {
                continue;
            }

            _states[l] = step.CommittedState;
        }
    }

    private static void CopyOrZero(ReadOnlyVector<T>? source, T[] target)
    {
        if (source is null)
        {
            Array.Clear(target);
        }
        else
        {
            source.AsSpan().CopyTo(target);
        }
    }

    private static double Gaussian(Random random)
    {
        double u1 = 1.0 - random.NextDouble();
        double u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    private Parameter<T> Add(Parameter<T> parameter)
    {
        _parameters.Add(parameter);
        return parameter;
    }

    private BatchNormState<T> WithParameters(BatchNormState<T> state, int layer) => state with
    {
        Gamma = ReadOnlyVector.Create<T>(_gammas[layer].Value),
        Beta = ReadOnlyVector.Create<T>(_betas[layer].Value),
    };
}
