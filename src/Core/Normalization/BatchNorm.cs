using System.Buffers;
using System.Numerics;
using BnNative.Collections;
using System.Runtime.CompilerServices;
using BnNative.Moments;
using BnNative.Sync;
using BnNative.Tensors;

namespace BnNative.Normalization;

/// <summary>
/// Batch normalization as pure functions (SPEC §4, §5, §9): a training step maps (input, state, config) to (output,
/// next state, batch statistics) and never modifies its arguments; inference and both backward passes likewise.
/// float and double throughout; the output has the input's element type.
/// </summary>
public static class BatchNorm
{
    /// <summary>
    /// One training step: normalizes with the batch statistics, y = gamma·(x − mu)/sqrt(s2 + eps) + beta (s2 biased),
    /// and produces the moving-statistics update per <see cref="BatchNormConfig.EmaUpdate"/>.
    /// </summary>
    /// <param name="x">Input, rank ≥ 2, any strides.</param>
    /// <param name="state">Current state; its channel count must match the input's channel axis.</param>
    /// <param name="config">Settings; null for tensorpack's defaults.</param>
    /// <returns>A new row-major output plus the next state, the batch moments and the pending transition.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="x"/> or <paramref name="state"/> is null.</exception>
    /// <exception cref="ArgumentException">Bad rank, empty reduction, n &lt; 2 with an unbiased moving variance, non-finite
    /// values under <see cref="BatchNormConfig.CheckFinite"/> (<c>x</c>), or a channel count that differs from the state (<c>state</c>).</exception>
    /// <exception cref="NonFiniteStatisticsException">Unless <see cref="BatchNormConfig.AllowNonFinite"/>: a batch mean or
    /// variance (of any ghost chunk) is NaN, ±∞ or too large for <typeparamref name="T"/>, or so is a derived factor (inverse
    /// std, renorm r and d), or, with internal or collection updates, the next moving statistics would be (<c>x</c>). Checked
    /// on the C per-channel values before anything is written.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The configured axis is out of range.</exception>
    public static BatchNormTrainResult<T> Train<T>(TensorView<T> x, BatchNormState<T> state, BatchNormConfig? config = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        return Train(x, state, config, Tensor<T>.Zeros(x.Lengths).View);
    }

    /// <summary>Like <see cref="Train{T}(TensorView{T}, BatchNormState{T}, BatchNormConfig)"/>, writing the output into <paramref name="destination"/>.</summary>
    /// <param name="x">Input.</param>
    /// <param name="state">Current state.</param>
    /// <param name="config">Settings; null for tensorpack's defaults.</param>
    /// <param name="destination">Output view with the input's lengths (any strides); must not overlap <paramref name="x"/>.</param>
    /// <exception cref="ArgumentException">As the allocating overload, and <paramref name="destination"/> lengths differ.</exception>
    /// <exception cref="NonFiniteStatisticsException">As the allocating overload; <paramref name="destination"/> is then left untouched.</exception>
    public static BatchNormTrainResult<T> Train<T>(TensorView<T> x, BatchNormState<T> state, BatchNormConfig? config, TensorView<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        TrainCore(x, state, config ?? BatchNormConfig.Tensorpack, destination, null);

    /// <summary>
    /// A synchronized training step (SyncBN, SPEC §7): every worker of <paramref name="sync"/> calls this with its own
    /// part of the batch (any size, including no samples) and the same state and config; the workers exchange their
    /// (n, mean, M2) per channel and merge them in rank order, so all of them normalize with bitwise-identical global
    /// statistics and return the same next state. The result equals plain batch norm on the concatenation of the parts.
    /// The backward pass of the result is collective too.
    /// </summary>
    /// <param name="x">This worker's part of the batch.</param>
    /// <param name="state">Current state (the same on every worker).</param>
    /// <param name="config">Settings; null for tensorpack's defaults. <see cref="BatchNormConfig.VirtualBatchSize"/> must be null.</param>
    /// <param name="sync">The exchange this worker belongs to.</param>
    /// <exception cref="ArgumentException">As the plain overload (the global count decides n = 0 and n &lt; 2 errors, on every
    /// worker alike), or a virtual batch size was configured.</exception>
    /// <exception cref="NonFiniteStatisticsException">As the plain overload, decided on the merged statistics, so on every
    /// worker alike (no worker is left waiting; the exchange is not failed).</exception>
    /// <exception cref="StatisticsExchangeException">The workers disagree on channel count or element type (on every
    /// worker), or another worker failed.</exception>
    public static BatchNormTrainResult<T> Train<T>(TensorView<T> x, BatchNormState<T> state, BatchNormConfig? config, IStatisticsExchange sync)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(sync);
        if (x is null)
        {
            // The other workers are (or will be) waiting in the exchange: tell them before throwing.
            var error = new ArgumentNullException(nameof(x));
            sync.Fail(error);
            throw error;
        }

        return Train(x, state, config, Tensor<T>.Zeros(x.Lengths).View, sync);
    }

    /// <summary>Like <see cref="Train{T}(TensorView{T}, BatchNormState{T}, BatchNormConfig, IStatisticsExchange)"/>, writing the output into <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentException">As that overload, and <paramref name="destination"/> lengths differ.</exception>
    /// <exception cref="NonFiniteStatisticsException">As that overload; <paramref name="destination"/> is then left untouched.</exception>
    /// <exception cref="StatisticsExchangeException">As that overload.</exception>
    public static BatchNormTrainResult<T> Train<T>(
        TensorView<T> x, BatchNormState<T> state, BatchNormConfig? config, TensorView<T> destination, IStatisticsExchange sync)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(sync);
        return TrainCore(x, state, config ?? BatchNormConfig.Tensorpack, destination, sync);
    }

    private static BatchNormTrainResult<T> TrainCore<T>(
        TensorView<T> x, BatchNormState<T> state, BatchNormConfig config, TensorView<T> destination, IStatisticsExchange? sync)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int axis;
        int chunkLength;
        BatchMoments[] local;
        try
        {
            axis = Validate(x, state, config, allowEmpty: sync is not null);
            CheckSameLengths(x, destination, nameof(destination));
            chunkLength = ChunkLength(x, axis, config, sync);
            local = new BatchMoments[x.Lengths[0] == 0 ? 1 : x.Lengths[0] / chunkLength];
            for (int k = 0; k < local.Length; k++)
            {
                var part = local.Length == 1 ? x : x.Slice(0, k * chunkLength, chunkLength);
                local[k] = part.ElementCount == 0 ? BatchMoments.Empty(state.Channels) : config.Moments.Compute(part, axis, config.Threads);
            }
        }
        catch (Exception ex) when (sync is not null)
        {
            sync.Fail(ex);
            throw;
        }

        var moments = local;
        if (sync is not null)
        {
            SyncStatistics.Agree(sync, state.Channels, Unsafe.SizeOf<T>());
            moments = [SyncStatistics.AllMerge(sync, local[0])];
        }

        var merged = moments.Length == 1 ? moments[0] : BatchMoments.Merge(moments);
        CheckCounts(x, config, moments, merged);
        var chunks = new BatchNormChunk[moments.Length];
        for (int k = 0; k < chunks.Length; k++)
        {
            chunks[k] = ChunkStatistics(moments[k], k * chunkLength, chunks.Length == 1 ? x.Lengths[0] : chunkLength, state, config);
        }

        // Every check below reads C values per chunk, after the exchange: all workers see the same numbers and throw
        // alike, so none is left waiting, and nothing has been written to the destination yet.
        if (!config.AllowNonFinite)
        {
            FiniteStatistics.CheckChunks(x, axis, chunks);
        }

        EmaTransition? transition = config.EmaUpdate == EmaUpdate.Skip ? null
            : chunks.Length == 1 || config.GhostEma == GhostEmaSource.AllChunks ? EmaTransition.From(merged, config, x.Rank)
            : config.GhostEma == GhostEmaSource.FirstChunk ? EmaTransition.From(moments[0], config, x.Rank)
            : EmaTransition.MeanOf(moments, config, x.Rank);
        var next = config.EmaUpdate == EmaUpdate.Internal ? transition!.Apply(state) : state;
        var pending = config.EmaUpdate == EmaUpdate.Collection ? transition : null;
        if (!config.AllowNonFinite && transition is not null && state.Step < long.MaxValue)
        {
            // Collection mode: the state the pending transition would give, so that a later Apply cannot poison it either.
            FiniteStatistics.CheckState(x, axis, pending is null ? next : pending.Apply(state));
        }

        int channels = state.Channels;
        var workspace = new T[4 * channels];
        var scale = new double[channels];
        var offset = new double[channels];
        foreach (var chunk in chunks)
        {
            for (int c = 0; c < channels; c++)
            {
                double gamma = config.Scale ? double.CreateTruncating(state.Gamma[c]) : 1;
                double beta = config.Center ? double.CreateTruncating(state.Beta[c]) : 0;
                scale[c] = gamma * (chunk.R?[c] ?? 1) * chunk.InverseStd[c];
                offset[c] = chunk.D is null ? beta : (gamma * chunk.D[c]) + beta;
            }

            var xs = chunks.Length == 1 ? x : x.Slice(0, chunk.Start, chunk.Length);
            var ys = chunks.Length == 1 ? destination : destination.Slice(0, chunk.Start, chunk.Length);
            if (xs.ElementCount != 0)
            {
                ApplyAffine(xs, ys, axis, chunk.Moments.Mean.AsSpan(), scale, offset, workspace);
            }
        }

        return new BatchNormTrainResult<T>(destination, next, merged, pending, x, axis, config, state, chunks, sync);
    }

    /// <summary>The number of samples normalized together: the virtual batch size, or the whole batch.</summary>
    private static int ChunkLength<T>(TensorView<T> x, int axis, BatchNormConfig config, IStatisticsExchange? sync)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (config.VirtualBatchSize is not { } virtualBatchSize)
        {
            return Math.Max(x.Lengths[0], 1);
        }

        if (sync is not null)
        {
            throw new ArgumentException(
                $"Ghost batch norm (VirtualBatchSize {virtualBatchSize}) cannot be combined with synchronized statistics; set one of them.", nameof(config));
        }

        if (axis == 0)
        {
            throw new ArgumentException(
                "Ghost batch norm splits axis 0 (the batch) into chunks, but the channel axis is 0.", nameof(config));
        }

        int batch = x.Lengths[0];
        if (batch % virtualBatchSize != 0)
        {
            throw new ArgumentException(
                $"virtualBatchSize {virtualBatchSize} does not divide the batch size {batch} (axis 0 of x [{string.Join(", ", x.Lengths.ToArray())}]).", nameof(x));
        }

        return virtualBatchSize;
    }

    /// <summary>Count checks that need the (possibly global) moments: n = 0 overall, n &lt; 2 with an unbiased moving variance.</summary>
    private static void CheckCounts<T>(TensorView<T> x, BatchNormConfig config, BatchMoments[] moments, BatchMoments merged)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (merged.Count == 0)
        {
            throw new ArgumentException($"Empty reduction: x {x.Shape} has no elements on any worker.", nameof(x));
        }

        if (config.EmaUpdate == EmaUpdate.Skip || config.Renorm is not null || config.MovingVarianceFor(x.Rank) != VarianceEstimator.Unbiased)
        {
            return;
        }

        long n = moments.Length == 1 || config.GhostEma == GhostEmaSource.AllChunks ? merged.Count : moments[0].Count;
        if (n < 2)
        {
            string what = moments.Length == 1 ? "the batch" : "each ghost chunk";
            throw new ArgumentException(
                $"The unbiased moving variance needs n ≥ 2 elements per channel; {what} of x {x.Shape} has n = {n}.", nameof(x));
        }
    }

    /// <summary>Inverse standard deviation, and with renorm r and d (SPEC §8), of one chunk.</summary>
    private static BatchNormChunk ChunkStatistics<T>(BatchMoments moments, int start, int length, BatchNormState<T> state, BatchNormConfig config)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int channels = moments.Channels;
        var inverseStd = new double[channels];
        var variance = moments.Variance();
        for (int c = 0; c < channels; c++)
        {
            inverseStd[c] = 1 / Math.Sqrt(variance[c] + config.Epsilon);
        }

        if (config.Renorm is not { } renorm)
        {
            return new BatchNormChunk(start, length, moments, ReadOnlyVector<double>.Adopt(inverseStd), null, null);
        }

        var renormState = state.Renorm ?? BatchRenormState<T>.Init(channels);
        var r = new double[channels];
        var d = new double[channels];
        double floor = Math.Sqrt(config.Epsilon);
        for (int c = 0; c < channels; c++)
        {
            double batchStd = Math.Sqrt(variance[c] + config.Epsilon);
            double renormStd = Math.Max(double.CreateTruncating(renormState.RenormStddev[c]), floor);
            double shift = moments.Mean[c] - double.CreateTruncating(renormState.RenormMean[c]);

            // With eps = 0 and renorm_stddev = 0, s_R is 0: equal numerators give r = 1 and d = 0 rather than 0/0 = NaN.
            r[c] = batchStd == renormStd ? 1 : Math.Clamp(batchStd / renormStd, 1 / renorm.RMax, renorm.RMax);
            d[c] = shift == 0 ? 0 : Math.Clamp(shift / renormStd, -renorm.DMax, renorm.DMax);
        }

        return new BatchNormChunk(
            start, length, moments, ReadOnlyVector<double>.Adopt(inverseStd), ReadOnlyVector<double>.Adopt(r), ReadOnlyVector<double>.Adopt(d));
    }

    /// <summary>Inference: y = gamma·(x − moving_mean)/sqrt(moving_var + eps) + beta, into a new row-major tensor.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="x"/> or <paramref name="state"/> is null.</exception>
    /// <exception cref="ArgumentException">Bad rank, non-finite values under CheckFinite (<c>x</c>), channel count ≠ state (<c>state</c>).</exception>
    public static Tensor<T> Infer<T>(TensorView<T> x, BatchNormState<T> state, BatchNormConfig? config = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        var output = Tensor<T>.Zeros(x.Lengths);
        Infer(x, state, config, output.View);
        return output;
    }

    /// <summary>Inference into <paramref name="destination"/> (same lengths, any strides); allocates nothing for up to 512 channels.</summary>
    /// <exception cref="ArgumentException">As <see cref="Infer{T}(TensorView{T}, BatchNormState{T}, BatchNormConfig)"/>, and <paramref name="destination"/> lengths differ.</exception>
    public static void Infer<T>(TensorView<T> x, BatchNormState<T> state, BatchNormConfig? config, TensorView<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        config ??= BatchNormConfig.Tensorpack;
        int axis = Validate(x, state, config);
        CheckSameLengths(x, destination, nameof(destination));
        int channels = state.Channels;
        double[]? rented = channels > 512 ? ArrayPool<double>.Shared.Rent(3 * channels) : null;
        T[]? rentedWorkspace = channels > 512 ? ArrayPool<T>.Shared.Rent(4 * channels) : null;
        try
        {
            Span<double> buffer = rented ?? stackalloc double[3 * channels];
            Span<T> workspace = rentedWorkspace ?? stackalloc T[4 * channels];
            var mean = buffer[..channels];
            var scale = buffer.Slice(channels, channels);
            var offset = buffer.Slice(2 * channels, channels);
            for (int c = 0; c < channels; c++)
            {
                mean[c] = double.CreateTruncating(state.MovingMean[c]);
                double gamma = config.Scale ? double.CreateTruncating(state.Gamma[c]) : 1;
                scale[c] = gamma / Math.Sqrt(double.CreateTruncating(state.MovingVariance[c]) + config.Epsilon);
                offset[c] = config.Center ? double.CreateTruncating(state.Beta[c]) : 0;
            }

            ApplyAffine(x, destination, axis, mean, scale, offset, workspace);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<double>.Shared.Return(rented);
            }

            if (rentedWorkspace is not null)
            {
                ArrayPool<T>.Shared.Return(rentedWorkspace);
            }
        }
    }

    /// <summary>
    /// Training-mode backward (SPEC §9): with sum_dy = Σdy, dot = Σ(x − mu)·dy and invstd = 1/sqrt(s2 + eps) per channel,
    /// dbeta = sum_dy, dgamma = dot·invstd, dx = gamma·invstd·(dy − sum_dy/n − (x − mu)·invstd²·dot/n).
    /// </summary>
    /// <param name="dy">Gradient of the output, with the input's lengths (any strides).</param>
    /// <param name="train">The training step being differentiated; its input must not have changed since.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="dy"/> lengths differ from the input's.</exception>
    public static BatchNormGradients<T> Backward<T>(TensorView<T> dy, BatchNormTrainResult<T> train)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(train);
        return Backward(dy, train, Tensor<T>.Zeros(train.Input.Lengths).View);
    }

    /// <summary>
    /// Like <see cref="Backward{T}(TensorView{T}, BatchNormTrainResult{T})"/>, writing dx into
    /// <paramref name="inputGradient"/> (the input's lengths, any strides; it may be <paramref name="dy"/> itself).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="dy"/> or <paramref name="inputGradient"/> lengths differ from the input's.</exception>
    public static BatchNormGradients<T> Backward<T>(TensorView<T> dy, BatchNormTrainResult<T> train, TensorView<T> inputGradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(train);
        var sync = train.Exchange;
        try
        {
            ArgumentNullException.ThrowIfNull(dy);
            CheckSameLengths(train.Input, dy, nameof(dy));
            CheckSameLengths(train.Input, inputGradient, nameof(inputGradient));
        }
        catch (Exception ex) when (sync is not null)
        {
            sync.Fail(ex);
            throw;
        }

        var x = train.Input;
        int channels = train.BatchMoments.Channels;
        var sums = new double[2 * channels];
        var a = new T[channels];
        var b = new T[channels];
        var c0 = new T[channels];
        var high = new T[channels];
        var low = new T[channels];
        var gammaGradient = new double[channels];
        var betaGradient = new double[channels];
        bool whole = train.Chunks.Count == 1;
        foreach (var chunk in train.Chunks)
        {
            var xs = whole ? x : x.Slice(0, chunk.Start, chunk.Length);
            var dys = whole ? dy : dy.Slice(0, chunk.Start, chunk.Length);
            var dxs = whole ? inputGradient : inputGradient.Slice(0, chunk.Start, chunk.Length);
            var mean = chunk.Moments.Mean.AsSpan();
            var sumDy = sums.AsSpan(0, channels);
            var dot = sums.AsSpan(channels, channels);
            sums.AsSpan().Clear();
            if (xs.ElementCount != 0)
            {
                ChannelKernels.GradientSums(xs, dys, train.ChannelAxis, mean, sumDy, dot);
            }

            if (sync is not null)
            {
                SyncStatistics.AllSum(sync, sums);
            }

            long n = chunk.Moments.Count;
            for (int c = 0; c < channels; c++)
            {
                double invstd = chunk.InverseStd[c];
                double r = chunk.R?[c] ?? 1;
                double gamma = (train.Config.Scale ? double.CreateTruncating(train.UsedState.Gamma[c]) : 1) * r;
                a[c] = T.CreateTruncating(gamma * invstd);
                b[c] = T.CreateTruncating(-gamma * invstd * invstd * invstd * dot[c] / n);
                c0[c] = T.CreateTruncating(-gamma * invstd * sumDy[c] / n);
                gammaGradient[c] += (r * dot[c] * invstd) + (chunk.D is null ? 0 : chunk.D[c] * sumDy[c]);
                betaGradient[c] += sumDy[c];
            }

            if (xs.ElementCount != 0)
            {
                SplitMean<T>(mean, high, low);
                ChannelKernels.InputGradient(xs, dys, dxs, train.ChannelAxis, high, low, a, b, c0);
            }
        }

        return new BatchNormGradients<T>(
            inputGradient,
            train.Config.Scale ? ReadOnlyVector<T>.Create(Cast<T>(gammaGradient)) : null,
            train.Config.Center ? ReadOnlyVector<T>.Create(Cast<T>(betaGradient)) : null);
    }

    private static T[] Cast<T>(double[] values)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var result = new T[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            result[i] = T.CreateTruncating(values[i]);
        }

        return result;
    }

    /// <summary>
    /// Inference-mode backward (moving statistics): dx = dy·gamma/sqrt(moving_var + eps); dgamma = Σdy·(x − moving_mean)/sqrt(moving_var + eps);
    /// dbeta = Σdy. No gradient reaches the moving statistics.
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">As <see cref="Infer{T}(TensorView{T}, BatchNormState{T}, BatchNormConfig)"/>, and <paramref name="dy"/> lengths differ.</exception>
    public static BatchNormGradients<T> BackwardInference<T>(TensorView<T> dy, TensorView<T> x, BatchNormState<T> state, BatchNormConfig? config = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        config ??= BatchNormConfig.Tensorpack;
        ArgumentNullException.ThrowIfNull(dy);
        int axis = Validate(x, state, config);
        CheckSameLengths(x, dy, nameof(dy));
        int channels = state.Channels;
        var mean = new double[channels];
        var sumDy = new double[channels];
        var dot = new double[channels];
        var a = new T[channels];
        var zero = new T[channels];
        var gammaGradient = new T[channels];
        var betaGradient = new T[channels];
        for (int c = 0; c < channels; c++)
        {
            mean[c] = double.CreateTruncating(state.MovingMean[c]);
        }

        ChannelKernels.GradientSums(x, dy, axis, mean, sumDy, dot);
        for (int c = 0; c < channels; c++)
        {
            double invstd = 1 / Math.Sqrt(double.CreateTruncating(state.MovingVariance[c]) + config.Epsilon);
            double gamma = config.Scale ? double.CreateTruncating(state.Gamma[c]) : 1;
            a[c] = T.CreateTruncating(gamma * invstd);
            gammaGradient[c] = T.CreateTruncating(dot[c] * invstd);
            betaGradient[c] = T.CreateTruncating(sumDy[c]);
        }

        var dx = Tensor<T>.Zeros(x.Lengths);
        ChannelKernels.InputGradient<T>(x, dy, dx.View, axis, zero, zero, a, zero, zero);
        return new BatchNormGradients<T>(
            dx.View,
            config.Scale ? ReadOnlyVector<T>.Adopt(gammaGradient) : null,
            config.Center ? ReadOnlyVector<T>.Adopt(betaGradient) : null);
    }

    /// <summary>Checks the input against the state and config; returns the resolved channel axis.</summary>
    private static int Validate<T>(TensorView<T> x, BatchNormState<T> state, BatchNormConfig config, bool allowEmpty = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(state);
        if (x.Rank < 2)
        {
            throw new ArgumentException(
                $"Batch normalization needs a tensor of rank ≥ 2 (a batch axis and a channel axis); x has rank {x.Rank}.", nameof(x));
        }

        int axis = ChannelAxis.Resolve(x.Rank, config.DataFormat, config.Axis);
        if (x.Lengths[axis] != state.Channels)
        {
            throw new ArgumentException(
                $"x has {x.Lengths[axis]} channels on axis {axis} but state has {state.Channels}.", nameof(state));
        }

        if (x.ElementCount == 0 && !allowEmpty)
        {
            throw new ArgumentException($"Empty reduction: x {x.Shape} has no elements.", nameof(x));
        }

        if (config.CheckFinite && !ChannelKernels.AllFinite(x, out T bad))
        {
            throw new ArgumentException($"x holds a non-finite value ({bad}) and CheckFinite is on.", nameof(x));
        }

        return axis;
    }

    private static void CheckSameLengths<T>(TensorView<T> x, TensorView<T> other, string name)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(other, name);
        if (!x.Lengths.SequenceEqual(other.Lengths))
        {
            throw new ArgumentException(
                $"{name} has lengths [{string.Join(", ", other.Lengths.ToArray())}] but x has [{string.Join(", ", x.Lengths.ToArray())}].", name);
        }
    }

    /// <summary>
    /// y = (x − mean)·scale + offset, the mean subtracted first in full precision. <paramref name="workspace"/> holds
    /// 4·C elements (mean high, mean low, scale, offset in T).
    /// </summary>
    private static void ApplyAffine<T>(
        TensorView<T> x, TensorView<T> y, int axis, ReadOnlySpan<double> mean, ReadOnlySpan<double> scale, ReadOnlySpan<double> offset,
        Span<T> workspace)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int channels = mean.Length;
        var high = workspace[..channels];
        var low = workspace.Slice(channels, channels);
        var scaleT = workspace.Slice(2 * channels, channels);
        var offsetT = workspace.Slice(3 * channels, channels);
        SplitMean(mean, high, low);
        for (int c = 0; c < channels; c++)
        {
            scaleT[c] = T.CreateTruncating(scale[c]);
            offsetT[c] = T.CreateTruncating(offset[c]);
        }

        ChannelKernels.Normalize(x, y, axis, high, low, scaleT, offsetT);
    }

    /// <summary>
    /// The mean as a high part in T plus the remainder in T, so that x − high − low keeps the mean's double precision
    /// (SPEC §4: rounding a mean near 1e4 to float alone costs about 1e-3).
    /// </summary>
    private static void SplitMean<T>(ReadOnlySpan<double> mean, Span<T> high, Span<T> low)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int c = 0; c < mean.Length; c++)
        {
            high[c] = T.CreateTruncating(mean[c]);
            low[c] = T.CreateTruncating(mean[c] - double.CreateTruncating(high[c]));
        }
    }
}
