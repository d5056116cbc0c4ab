using System.Numerics;
using System.Runtime.CompilerServices;
using BnNative.Collections;
using BnNative.Kernels;
using BnNative.Moments;
using BnNative.Tensors;

namespace BnNative.Normalization;

/// <summary>
/// A batch normalization layer that owns its state and updates it in place, so a training loop runs without managed
/// allocations: <see cref="Train"/>, <see cref="Backward"/>, <see cref="Infer"/> and <see cref="BackwardInference"/>
/// write into caller-owned destinations and into arrays the layer keeps, and allocate nothing per call (after the
/// first, which warms pooled buffers).
/// </summary>
/// <remarks>
/// <para>
/// This is the mutable shell around the same step as <see cref="BatchNorm"/>'s pure functions, in the way an
/// immutable collection has a builder: for the same input, state and config a layer step gives the same output, moving
/// statistics and gradients as <see cref="BatchNorm.Train{T}(TensorView{T}, BatchNormState{T}, BatchNormConfig, TensorView{T})"/>
/// followed by <see cref="BatchNormTrainResult{T}.CommittedState"/> and <see cref="BatchNorm.Backward{T}(TensorView{T}, BatchNormTrainResult{T}, TensorView{T})"/>,
/// bit for bit. <see cref="ToState"/> takes an immutable snapshot at any time.
/// </para>
/// <para>
/// Failure loses nothing: a step that throws (bad input, non-finite statistics) leaves the moving statistics, the step
/// count, the last batch statistics and the destination untouched.
/// </para>
/// <para>
/// Supported settings: every <see cref="EmaUpdate"/> and <see cref="EmaAverage"/>, any moments backend, layout and
/// thread count. With <see cref="EmaUpdate.Collection"/> (tensorpack's default) the layer commits the update at the
/// end of the step, as <see cref="BatchNormTrainResult{T}.CommittedState"/> does, since no caller is left to apply a
/// pending transition; with <see cref="EmaUpdate.Skip"/> the moving statistics stay. Ghost batch norm, batch
/// renormalization and synchronized statistics carry per-chunk or per-worker objects: use <see cref="BatchNorm"/>'s
/// functions for them. A layer is not thread-safe; give each thread its own.
/// </para>
/// </remarks>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class BatchNormLayer<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[] _gamma;
    private readonly T[] _beta;
    private readonly T[] _gammaGradient;
    private readonly T[] _betaGradient;
    private T[] _movingMean;
    private T[] _movingVariance;
    private T[] _nextMean;
    private T[] _nextVariance;
    private long _step;

    private double[] _batchMean;
    private double[] _batchM2;
    private double[] _inverseStd;
    private double[] _candidateMean;
    private double[] _candidateM2;
    private double[] _candidateInverseStd;
    private readonly double[] _variance;
    private readonly double[] _backwardScratch;

    /// <summary>Storage of the coefficient table of every call (the largest one, the input gradient's): a call rents nothing.</summary>
    private readonly T[] _table;
    private long _count;
    private TensorView<T>? _input;
    private int _axis;

    /// <summary>Creates a layer holding a copy of <paramref name="state"/>.</summary>
    /// <param name="state">The starting state (copied; later steps never change it).</param>
    /// <param name="config">Settings; null for tensorpack's defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="state"/> is null.</exception>
    /// <exception cref="ArgumentException">The config asks for something a layer does not do in place (ghost batch
    /// norm, batch renormalization), or the state carries a renorm state (<c>config</c>/<c>state</c>).</exception>
    public BatchNormLayer(BatchNormState<T> state, BatchNormConfig? config = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        Config = config ?? BatchNormConfig.Tensorpack;
        string? unsupported =
            Config.VirtualBatchSize is not null ? "ghost batch norm (VirtualBatchSize; use BatchNorm.Train)"
            : Config.Renorm is not null ? "batch renormalization (Renorm; use BatchNorm.Train)"
            : null;
        if (unsupported is not null)
        {
            throw new ArgumentException($"A BatchNormLayer updates its state in place and does not support {unsupported}.", nameof(config));
        }

        if (state.Renorm is not null)
        {
            throw new ArgumentException("state carries a batch renormalization state, which a BatchNormLayer does not update; use BatchNorm.Train.", nameof(state));
        }

        int channels = state.Channels;
        _gamma = state.Gamma.ToArray();
        _beta = state.Beta.ToArray();
        _movingMean = state.MovingMean.ToArray();
        _movingVariance = state.MovingVariance.ToArray();
        _step = state.Step;
        _nextMean = new T[channels];
        _nextVariance = new T[channels];
        _gammaGradient = new T[channels];
        _betaGradient = new T[channels];
        _batchMean = new double[channels];
        _batchM2 = new double[channels];
        _inverseStd = new double[channels];
        _candidateMean = new double[channels];
        _candidateM2 = new double[channels];
        _candidateInverseStd = new double[channels];
        _variance = new double[channels];
        _backwardScratch = new double[4 * channels];
        _table = new T[CoefficientTable<T>.Length(channels, Math.Max(NormalizeOperator<T>.Coefficients, InputGradientOperator<T>.Coefficients))];
    }

    /// <summary>Creates a layer in the initial state (<see cref="BatchNormState{T}.Init"/>).</summary>
    /// <param name="channels">Number of channels, ≥ 1.</param>
    /// <param name="config">Settings; null for tensorpack's defaults.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="channels"/> is below 1.</exception>
    /// <exception cref="ArgumentException">As <see cref="BatchNormLayer{T}(BatchNormState{T}, BatchNormConfig)"/>.</exception>
    public BatchNormLayer(int channels, BatchNormConfig? config = null)
        : this(BatchNormState<T>.Init(channels), config)
    {
    }

    /// <summary>The layer's settings.</summary>
    public BatchNormConfig Config { get; }

    /// <summary>Number of channels.</summary>
    public int Channels => _gamma.Length;

    /// <summary>Per-channel scale, writable in place (an optimizer updates it between steps); unused when <see cref="BatchNormConfig.Scale"/> is false.</summary>
    public Span<T> Gamma => _gamma;

    /// <summary>Per-channel offset, writable in place; unused when <see cref="BatchNormConfig.Center"/> is false.</summary>
    public Span<T> Beta => _beta;

    /// <summary>The moving mean (tensorpack's <c>mean/EMA</c>) after the last step.</summary>
    /// <remarks>The span stays valid until the next training step, which replaces the storage behind it.</remarks>
    public ReadOnlySpan<T> MovingMean => _movingMean;

    /// <summary>The moving variance (tensorpack's <c>variance/EMA</c>) after the last step.</summary>
    /// <remarks>The span stays valid until the next training step, which replaces the storage behind it.</remarks>
    public ReadOnlySpan<T> MovingVariance => _movingVariance;

    /// <summary>Moving-statistics updates applied so far (<see cref="BatchNormState{T}.Step"/>).</summary>
    public long Step => _step;

    /// <summary>Elements per channel of the last training step's batch (0 before the first).</summary>
    public long BatchCount => _count;

    /// <summary>Per-channel batch mean of the last training step (zeros before the first).</summary>
    /// <remarks>The span stays valid until the next training step, which replaces the storage behind it.</remarks>
    public ReadOnlySpan<double> BatchMean => _batchMean;

    /// <summary>Per-channel 1/sqrt(var + eps) of the last training step, var biased (zeros before the first).</summary>
    /// <remarks>The span stays valid until the next training step, which replaces the storage behind it.</remarks>
    public ReadOnlySpan<double> InverseStd => _inverseStd;

    /// <summary>dL/dgamma from the last <see cref="Backward"/> or <see cref="BackwardInference"/> (zeros when <see cref="BatchNormConfig.Scale"/> is false).</summary>
    public ReadOnlySpan<T> GammaGradient => _gammaGradient;

    /// <summary>dL/dbeta from the last <see cref="Backward"/> or <see cref="BackwardInference"/> (zeros when <see cref="BatchNormConfig.Center"/> is false).</summary>
    public ReadOnlySpan<T> BetaGradient => _betaGradient;

    /// <summary>
    /// One training step in place: y = gamma·(x − mu)/sqrt(s2 + eps) + beta with the batch statistics (s2 biased) into
    /// <paramref name="destination"/>, and unless the update is <see cref="EmaUpdate.Skip"/> the moving statistics
    /// advanced per <see cref="BatchNormConfig.EmaAverage"/> (committed at once, also in collection mode). The layer remembers <paramref name="x"/> (a view, no copy) for
    /// <see cref="Backward"/>, so its data must not change until then.
    /// </summary>
    /// <param name="x">Input, rank ≥ 2, any strides.</param>
    /// <param name="destination">Output view with the input's lengths (any strides); must not overlap <paramref name="x"/>.</param>
    /// <exception cref="ArgumentNullException">A view is null.</exception>
    /// <exception cref="ArgumentException">Bad rank, empty input, a channel count that differs from the layer, lengths
    /// that differ, n &lt; 2 with an unbiased moving variance, or non-finite input under <see cref="BatchNormConfig.CheckFinite"/>.</exception>
    /// <exception cref="NonFiniteStatisticsException">Unless <see cref="BatchNormConfig.AllowNonFinite"/>: a batch
    /// statistic, the inverse std or a next moving statistic is not finite in <typeparamref name="T"/>. The layer and
    /// the destination are left as they were.</exception>
    /// <exception cref="OverflowException">The step count would pass <see cref="long.MaxValue"/>.</exception>
    public void Train(TensorView<T> x, TensorView<T> destination)
    {
        var config = Config;
        int axis = BatchNorm.Validate(x, Channels, "layer", config);
        BatchNorm.CheckSameLengths(x, destination, nameof(destination));
        int threads = config.WorkerThreads;
        long count = config.Moments.ComputeInto(x, axis, threads, _candidateMean, _candidateM2);
        var estimator = config.MovingVarianceFor(x.Rank);
        bool advance = config.EmaUpdate != EmaUpdate.Skip;
        if (advance && estimator == VarianceEstimator.Unbiased && count < 2)
        {
            throw new ArgumentException(
                $"The unbiased moving variance needs n ≥ 2 elements per channel; the batch of x {x.Shape} has n = {count}.", nameof(x));
        }

        ChannelVectorMath.InverseStd(_candidateM2, count, config.Epsilon, _candidateInverseStd);
        if (!config.AllowNonFinite)
        {
            FiniteStatistics.CheckBatch(x, axis, count, _candidateMean, _candidateM2, _candidateInverseStd);
        }

        long step = _step;
        if (advance)
        {
            step = checked(step + 1);
            ChannelVectorMath.Divide(_candidateM2, estimator == VarianceEstimator.Biased ? count : count - 1, _variance);
            EmaTransition.Advance<T>(_movingMean, _candidateMean, step, config.Momentum, config.EmaAverage, _nextMean);
            EmaTransition.Advance<T>(_movingVariance, _variance, step, config.Momentum, config.EmaAverage, _nextVariance);
            if (!config.AllowNonFinite)
            {
                FiniteStatistics.CheckMoving<T>(x, axis, _nextMean, _nextVariance);
            }
        }

        using (var table = new CoefficientTable<T>(Channels, NormalizeOperator<T>.Coefficients, _table))
        {
            BatchNorm.NormalizeWithBatch<T>(x, destination, axis, table, _candidateMean, _candidateInverseStd, _gamma, _beta, config);
        }

        // Commit: every check has passed and the output is written.
        (_batchMean, _candidateMean) = (_candidateMean, _batchMean);
        (_batchM2, _candidateM2) = (_candidateM2, _batchM2);
        (_inverseStd, _candidateInverseStd) = (_candidateInverseStd, _inverseStd);
        if (advance)
        {
            (_movingMean, _nextMean) = (_nextMean, _movingMean);
            (_movingVariance, _nextVariance) = (_nextVariance, _movingVariance);
        }

        _step = step;
        _count = count;
        _input = x;
        _axis = axis;
    }

    /// <summary>
    /// The training backward pass of the last <see cref="Train"/>: dx into <paramref name="inputGradient"/>, and
    /// <see cref="GammaGradient"/>, <see cref="BetaGradient"/> (SPEC §9). The same math and bits as
    /// <see cref="BatchNorm.Backward{T}(TensorView{T}, BatchNormTrainResult{T}, TensorView{T})"/>, with the gamma the
    /// layer holds now (so update gamma after the backward pass, as an optimizer does).
    /// </summary>
    /// <param name="dy">dL/dy, with the last input's lengths (any strides).</param>
    /// <param name="inputGradient">dL/dx destination with the input's lengths; must not overlap the input or <paramref name="dy"/>.</param>
    /// <exception cref="InvalidOperationException">No training step has run yet.</exception>
    /// <exception cref="ArgumentNullException">A view is null.</exception>
    /// <exception cref="ArgumentException">Lengths differ from the last input's.</exception>
    public void Backward(TensorView<T> dy, TensorView<T> inputGradient)
    {
        var x = _input ?? throw new InvalidOperationException("Backward needs the statistics of a training step; call Train first.");
        ArgumentNullException.ThrowIfNull(dy);
        BatchNorm.CheckSameLengths(x, dy, nameof(dy));
        BatchNorm.CheckSameLengths(x, inputGradient, nameof(inputGradient));
        int channels = Channels;
        var scratch = _backwardScratch.AsSpan();
        var gammaSum = scratch.Slice(2 * channels, channels);
        var betaSum = scratch.Slice(3 * channels, channels);
        gammaSum.Clear();
        betaSum.Clear();
        using (var table = new CoefficientTable<T>(channels, InputGradientOperator<T>.Coefficients, _table))
        {
            BatchNorm.BackwardChunk<T>(
                x, dy, inputGradient, _axis, table, _count, _batchMean, _inverseStd, default, default, _gamma, Config.Scale, null,
                scratch[..(2 * channels)], gammaSum, betaSum, Config.WorkerThreads);
        }

        BatchNorm.Narrow<T>(gammaSum, _gammaGradient);
        BatchNorm.Narrow<T>(betaSum, _betaGradient);
        ClearUnusedGradients();
    }

    /// <summary>The gradient of a parameter the config does not use is zeros, not what the sums gave.</summary>
    private void ClearUnusedGradients()
    {
        if (!Config.Scale)
        {
            _gammaGradient.AsSpan().Clear();
        }

        if (!Config.Center)
        {
            _betaGradient.AsSpan().Clear();
        }
    }

    /// <summary>
    /// The inference-mode backward pass, the moving statistics held constant (fine-tuning with frozen statistics): dx =
    /// dy·gamma/sqrt(moving_var + eps) into <paramref name="inputGradient"/>, <see cref="GammaGradient"/> =
    /// Σdy·(x − moving_mean)/sqrt(moving_var + eps) and <see cref="BetaGradient"/> = Σdy (zeros for an unused
    /// parameter). The same bits as <see cref="BatchNorm.BackwardInference{T}(TensorView{T}, TensorView{T}, BatchNormState{T}, BatchNormConfig, TensorView{T})"/>
    /// on <see cref="ToState"/>; it needs no training step.
    /// </summary>
    /// <param name="dy">dL/dy, with the input's lengths (any strides).</param>
    /// <param name="x">The input the output was inferred from.</param>
    /// <param name="inputGradient">dL/dx destination with the input's lengths; it may be <paramref name="dy"/> itself.</param>
    /// <exception cref="ArgumentNullException">A view is null.</exception>
    /// <exception cref="ArgumentException">As <see cref="Infer"/>, and <paramref name="dy"/> or <paramref name="inputGradient"/> lengths differ.</exception>
    public void BackwardInference(TensorView<T> dy, TensorView<T> x, TensorView<T> inputGradient)
    {
        ArgumentNullException.ThrowIfNull(dy);
        int axis = BatchNorm.Validate(x, Channels, "layer", Config);
        BatchNorm.CheckSameLengths(x, dy, nameof(dy));
        BatchNorm.CheckSameLengths(x, inputGradient, nameof(inputGradient));
        BatchNorm.BackwardInferenceCore<T>(
            dy, x, axis, _movingMean, _movingVariance, _gamma, Config, inputGradient, _gammaGradient, _betaGradient);
        ClearUnusedGradients();
    }

    /// <summary>
    /// Inference with the moving statistics, into <paramref name="destination"/>: the same bits as
    /// <see cref="BatchNorm.Infer{T}(TensorView{T}, BatchNormState{T}, BatchNormConfig, TensorView{T})"/> on <see cref="ToState"/>.
    /// </summary>
    /// <param name="x">Input, rank ≥ 2, any strides.</param>
    /// <param name="destination">Output view with the input's lengths; must not overlap <paramref name="x"/>.</param>
    /// <exception cref="ArgumentNullException">A view is null.</exception>
    /// <exception cref="ArgumentException">Bad rank, empty input, a channel count that differs from the layer, or lengths that differ.</exception>
    public void Infer(TensorView<T> x, TensorView<T> destination)
    {
        int axis = BatchNorm.Validate(x, Channels, "layer", Config);
        BatchNorm.CheckSameLengths(x, destination, nameof(destination));
        using var table = new CoefficientTable<T>(Channels, NormalizeOperator<T>.Coefficients, _table);
        BatchNorm.InferenceCoefficients<T>(_movingMean, _movingVariance, _gamma, _beta, Config, table);
        ChannelKernels.NormalizeAlone(x, destination, axis, table, Config.WorkerThreads);
    }

    /// <summary>An immutable snapshot of the layer's state (allocates; call it when saving or handing the state on).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Gamma or beta was written with values the state rejects (none today; a moving variance is never negative).</exception>
    public BatchNormState<T> ToState() =>
        new(ReadOnlyVector<T>.Create(_movingMean), ReadOnlyVector<T>.Create(_movingVariance), ReadOnlyVector<T>.Create(_gamma),
            ReadOnlyVector<T>.Create(_beta), _step);
}
