using System.Runtime.CompilerServices;
using System.Buffers;
using System.Numerics;
using BnNative.Collections;
using BnNative.Kernels;
using BnNative.Sync;
using BnNative.Tensors;

namespace BnNative.Normalization;

/// <content>The backward passes (SPEC §9): of a training step (collective when the step was synchronized) and of inference.</content>
public static partial class BatchNorm
{
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
        catch (Exception ex) when (LocalPhase.FailPeers(sync, ex))
        {
            throw LocalPhase.Unreachable();
        }

        var x = train.Input;
        int channels = train.BatchMoments.Channels;
        int threads = train.Config.WorkerThreads;
        var gammaGradient = new T[channels];
        var betaGradient = new T[channels];
        var buffer = ArrayPool<double>.Shared.Rent(4 * channels);
        using var table = new CoefficientTable<T>(channels, InputGradientOperator<T>.Coefficients);
        try
        {
            var sums = buffer.AsSpan(0, 2 * channels);
            var gammaSum = buffer.AsSpan(2 * channels, channels);
            var betaSum = buffer.AsSpan(3 * channels, channels);
            gammaSum.Clear();
            betaSum.Clear();
            bool whole = train.Chunks.Count == 1;
            var gammas = train.UsedState.Gamma.AsSpan();
            foreach (var chunk in train.Chunks)
            {
                var xs = whole ? x : x.Slice(0, chunk.Start, chunk.Length);
                var dys = whole ? dy : dy.Slice(0, chunk.Start, chunk.Length);
                var dxs = whole ? inputGradient : inputGradient.Slice(0, chunk.Start, chunk.Length);
                BackwardChunk(
                    xs, dys, dxs, train.ChannelAxis, table, chunk.Moments.Count, chunk.Moments.Mean.AsSpan(), chunk.InverseStd.AsSpan(),
                    chunk.R is null ? default : chunk.R.AsSpan(), chunk.D is null ? default : chunk.D.AsSpan(), gammas, train.Config.Scale, sync,
                    sums, gammaSum, betaSum, threads);
            }

            Narrow(gammaSum, gammaGradient);
            Narrow(betaSum, betaGradient);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(buffer);
        }

        return new BatchNormGradients<T>(
            inputGradient,
            train.Config.Scale ? ReadOnlyVector<T>.Adopt(gammaGradient) : null,
            train.Config.Center ? ReadOnlyVector<T>.Adopt(betaGradient) : null);
    }

    /// <summary>
    /// The training backward pass over one chunk normalized with (n, mean, inverseStd, and renorm r, d when given):
    /// the gradient sums (all-summed across workers under <paramref name="sync"/>), dx through the input-gradient
    /// operator, and the chunk's dgamma/dbeta terms added to <paramref name="gammaSum"/>/<paramref name="betaSum"/>.
    /// Shared by the record backward and <see cref="BatchNormLayer{T}"/>, so both give the same bits. The sums scratch
    /// holds 2C values; r and d are empty without renormalization; the gammas are read only when scaled.
    /// </summary>
    internal static void BackwardChunk<T>(
        TensorView<T> x, TensorView<T> dy, TensorView<T> dx, int axis, in CoefficientTable<T> table, long n, ReadOnlySpan<double> mean,
        ReadOnlySpan<double> inverseStd, ReadOnlySpan<double> rs, ReadOnlySpan<double> ds, ReadOnlySpan<T> gammas, bool scaled,
        IStatisticsExchange? sync, Span<double> sums, Span<double> gammaSum, Span<double> betaSum, int threads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int channels = mean.Length;
        var sumDy = sums[..channels];
        var dot = sums[channels..(2 * channels)];
        ChannelKernels.SetMeans(mean, table);
        table.Seal();
        sums.Clear();
        ChannelKernels.GradientSums(x, dy, axis, table, mean, sumDy, dot, threads);
        if (sync is not null)
        {
            SyncStatistics.AllSum(sync, sums);
        }

        var highs = table.Row(0);
        var ps = table.Row(1);
        var qs = table.Row(2);
        var offsets = table.Row(3);
        int first = rs.IsEmpty && ds.IsEmpty
            ? InputGradientOperator<T>.FillPlain(highs, ps, qs, offsets, mean, inverseStd, gammas, scaled, dot, sumDy, n, gammaSum, betaSum)
            : 0;
        for (int c = first; c < channels; c++)
        {
            double invstd = inverseStd[c];
            double r = rs.IsEmpty ? 1 : rs[c];
            double gamma = (scaled ? double.CreateTruncating(gammas[c]) : 1) * r;
            InputGradientOperator<T>.Set(
                highs, ps, qs, offsets, c, mean[c], gamma * invstd, -gamma * invstd * invstd * invstd * dot[c] / n, -gamma * invstd * sumDy[c] / n);
            gammaSum[c] += (r * dot[c] * invstd) + (ds.IsEmpty ? 0 : ds[c] * sumDy[c]);
            betaSum[c] += sumDy[c];
        }

        table.Seal();
        if (x.ElementCount != 0)
        {
            ChannelKernels.InputGradient(x, dy, dx, axis, table, threads);
        }
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
        ArgumentNullException.ThrowIfNull(x);
        return BackwardInference(dy, x, state, config, Tensor<T>.Zeros(x.Lengths).View);
    }

    /// <summary>
    /// Like <see cref="BackwardInference{T}(TensorView{T}, TensorView{T}, BatchNormState{T}, BatchNormConfig)"/>, writing dx
    /// into <paramref name="inputGradient"/> (the input's lengths, any strides; it may be <paramref name="dy"/> itself).
    /// </summary>
    /// <exception cref="ArgumentException">As that overload, and <paramref name="inputGradient"/> lengths differ.</exception>
    public static BatchNormGradients<T> BackwardInference<T>(
        TensorView<T> dy, TensorView<T> x, BatchNormState<T> state, BatchNormConfig? config, TensorView<T> inputGradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        config ??= BatchNormConfig.Tensorpack;
        ArgumentNullException.ThrowIfNull(dy);
        int axis = Validate(x, state, config);
        CheckSameLengths(x, dy, nameof(dy));
        CheckSameLengths(x, inputGradient, nameof(inputGradient));
        int channels = state.Channels;
        var gammaGradient = new T[channels];
        var betaGradient = new T[channels];
        BackwardInferenceCore(
            dy, x, axis, state.MovingMean.AsSpan(), state.MovingVariance.AsSpan(), state.Gamma.AsSpan(), config, inputGradient, gammaGradient,
            betaGradient);
        return new BatchNormGradients<T>(
            inputGradient,
            config.Scale ? ReadOnlyVector<T>.Adopt(gammaGradient) : null,
            config.Center ? ReadOnlyVector<T>.Adopt(betaGradient) : null);
    }

    /// <summary>
    /// The inference-mode backward pass on validated views and per-channel spans, writing dx, dgamma and dbeta: shared
    /// by <see cref="BackwardInference{T}(TensorView{T}, TensorView{T}, BatchNormState{T}, BatchNormConfig, TensorView{T})"/>
    /// and <see cref="BatchNormLayer{T}.BackwardInference"/>, so both give the same bits.
    /// </summary>
    internal static void BackwardInferenceCore<T>(
        TensorView<T> dy, TensorView<T> x, int axis, ReadOnlySpan<T> movingMean, ReadOnlySpan<T> movingVariance, ReadOnlySpan<T> gammas,
        BatchNormConfig config, TensorView<T> inputGradient, Span<T> gammaGradient, Span<T> betaGradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int channels = movingMean.Length;
        int threads = config.WorkerThreads;
        var buffer = ArrayPool<double>.Shared.Rent(3 * channels);
        using var table = new CoefficientTable<T>(channels, GradientTableRows);
        try
        {
            var mean = buffer.AsSpan(0, channels);
            var sumDy = buffer.AsSpan(channels, channels);
            var dot = buffer.AsSpan(2 * channels, channels);
            sumDy.Clear();
            dot.Clear();
            for (int c = 0; c < channels; c++)
            {
                mean[c] = double.CreateTruncating(movingMean[c]);
            }

            ChannelKernels.SetMeans(mean, table);
            table.Seal();
            ChannelKernels.GradientSums(x, dy, axis, table, mean, sumDy, dot, threads);
            var p = table.Row(1);
            for (int c = 0; c < channels; c++)
            {
                double invstd = 1 / Math.Sqrt(double.CreateTruncating(movingVariance[c]) + config.Epsilon);
                double gamma = config.Scale ? double.CreateTruncating(gammas[c]) : 1;
                p[c] = T.CreateTruncating(gamma * invstd);
                gammaGradient[c] = T.CreateTruncating(dot[c] * invstd);
                betaGradient[c] = T.CreateTruncating(sumDy[c]);
            }

            // The scale operator reads its one coefficient from row 0: move p there once the sums no longer need m_hi.
            p.CopyTo(table.Row(0));
            table.Seal();
            ChannelKernels.ScaleGradient(dy, inputGradient, axis, table, threads);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(buffer);
        }
    }

    /// <summary>Rows of the inference backward's table: m_hi for the sums, then the scale p.</summary>
    private const int GradientTableRows = 2;

    /// <summary>Rounds per-channel double sums to the element type.</summary>
    internal static void Narrow<T>(ReadOnlySpan<double> sums, Span<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int c = 0; c < sums.Length; c++)
        {
            destination[c] = T.CreateTruncating(sums[c]);
        }
    }
}
