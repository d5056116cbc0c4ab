using System.Numerics;
using BnNative.Collections;
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
        LocalPhase.Run(sync, () =>
        {
            ArgumentNullException.ThrowIfNull(dy);
            CheckSameLengths(train.Input, dy, nameof(dy));
            CheckSameLengths(train.Input, inputGradient, nameof(inputGradient));
        });

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
}
