using System.Buffers;
using System.Numerics;
using BnNative.Collections;
using BnNative.Moments;
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
    public static BatchNormTrainResult<T> Train<T>(TensorView<T> x, BatchNormState<T> state, BatchNormConfig? config, TensorView<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        config ??= BatchNormConfig.Tensorpack;
        int axis = Validate(x, state, config);
        CheckSameLengths(x, destination, nameof(destination));
        if (config.EmaUpdate != EmaUpdate.Skip && config.MovingVarianceFor(x.Rank) == VarianceEstimator.Unbiased
            && x.ElementCount / x.Lengths[axis] < 2)
        {
            throw new ArgumentException(
                $"The unbiased moving variance needs n ≥ 2 elements per channel; x {x.Shape} has n = {x.ElementCount / x.Lengths[axis]}.", nameof(x));
        }

        var moments = config.Moments.Compute(x, axis, config.Threads);
        int channels = moments.Channels;
        var inverseStd = new double[channels];
        var variance = moments.Variance();
        for (int c = 0; c < channels; c++)
        {
            inverseStd[c] = 1 / Math.Sqrt(variance[c] + config.Epsilon);
        }

        ApplyAffine(x, destination, axis, moments.Mean.AsSpan(), inverseStd, state, config, new T[4 * channels]);
        EmaTransition? transition = config.EmaUpdate == EmaUpdate.Skip ? null : EmaTransition.From(moments, config, x.Rank);
        var next = config.EmaUpdate == EmaUpdate.Internal ? transition!.Apply(state) : state;
        var pending = config.EmaUpdate == EmaUpdate.Collection ? transition : null;
        return new BatchNormTrainResult<T>(
            destination, next, moments, pending, x, axis, config, state, ReadOnlyVector<double>.Adopt(inverseStd));
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
        double[]? rented = channels > 512 ? ArrayPool<double>.Shared.Rent(2 * channels) : null;
        T[]? rentedWorkspace = channels > 512 ? ArrayPool<T>.Shared.Rent(4 * channels) : null;
        try
        {
            Span<double> buffer = rented ?? stackalloc double[2 * channels];
            Span<T> workspace = rentedWorkspace ?? stackalloc T[4 * channels];
            var mean = buffer[..channels];
            var inverseStd = buffer.Slice(channels, channels);
            for (int c = 0; c < channels; c++)
            {
                mean[c] = double.CreateTruncating(state.MovingMean[c]);
                inverseStd[c] = 1 / Math.Sqrt(double.CreateTruncating(state.MovingVariance[c]) + config.Epsilon);
            }

            ApplyAffine(x, destination, axis, mean, inverseStd, state, config, workspace);
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
        ArgumentNullException.ThrowIfNull(dy);
        ArgumentNullException.ThrowIfNull(train);
        var x = train.Input;
        CheckSameLengths(x, dy, nameof(dy));
        CheckSameLengths(x, inputGradient, nameof(inputGradient));
        int channels = train.BatchMoments.Channels;
        long n = train.BatchMoments.Count;
        var sumDy = new double[channels];
        var dot = new double[channels];
        var mean = train.BatchMoments.Mean.AsSpan();
        ChannelKernels.GradientSums(x, dy, train.ChannelAxis, mean, sumDy, dot);
        var a = new T[channels];
        var b = new T[channels];
        var c0 = new T[channels];
        var gammaGradient = new T[channels];
        var betaGradient = new T[channels];
        for (int c = 0; c < channels; c++)
        {
            double invstd = train.InverseStd[c];
            double gamma = train.Config.Scale ? double.CreateTruncating(train.UsedState.Gamma[c]) : 1;
            a[c] = T.CreateTruncating(gamma * invstd);
            b[c] = T.CreateTruncating(-gamma * invstd * invstd * invstd * dot[c] / n);
            c0[c] = T.CreateTruncating(-gamma * invstd * sumDy[c] / n);
            gammaGradient[c] = T.CreateTruncating(dot[c] * invstd);
            betaGradient[c] = T.CreateTruncating(sumDy[c]);
        }

        var high = new T[channels];
        var low = new T[channels];
        SplitMean<T>(mean, high, low);
        ChannelKernels.InputGradient(x, dy, inputGradient, train.ChannelAxis, high, low, a, b, c0);
        return new BatchNormGradients<T>(
            inputGradient,
            train.Config.Scale ? ReadOnlyVector<T>.Adopt(gammaGradient) : null,
            train.Config.Center ? ReadOnlyVector<T>.Adopt(betaGradient) : null);
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
    private static int Validate<T>(TensorView<T> x, BatchNormState<T> state, BatchNormConfig config)
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

        if (x.ElementCount == 0)
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
    /// y = (x − mean)·(gamma·invstd) + beta, the mean subtracted first in full precision. <paramref name="workspace"/>
    /// holds 4·C elements (mean high, mean low, scale, offset).
    /// </summary>
    private static void ApplyAffine<T>(
        TensorView<T> x, TensorView<T> y, int axis, ReadOnlySpan<double> mean, ReadOnlySpan<double> inverseStd,
        BatchNormState<T> state, BatchNormConfig config, Span<T> workspace)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int channels = mean.Length;
        var high = workspace[..channels];
        var low = workspace.Slice(channels, channels);
        var scale = workspace.Slice(2 * channels, channels);
        var offset = workspace.Slice(3 * channels, channels);
        SplitMean(mean, high, low);
        for (int c = 0; c < channels; c++)
        {
            double gamma = config.Scale ? double.CreateTruncating(state.Gamma[c]) : 1;
            scale[c] = T.CreateTruncating(gamma * inverseStd[c]);
            offset[c] = config.Center ? state.Beta[c] : T.Zero;
        }

        ChannelKernels.Normalize(x, y, axis, high, low, scale, offset);
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
