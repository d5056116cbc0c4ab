using System.Numerics;
using System.Numerics.Tensors;
using BnNative.Normalization;
using BnNative.Sync;

namespace BnNative.NumericsTensors;

/// <content>The backward passes: of a training step over spans, and of inference.</content>
public static partial class TensorSpanBatchNorm
{
    /// <summary>
    /// Training-mode backward, as <see cref="BatchNorm.Backward{T}(Tensors.TensorView{T}, BatchNormTrainResult{T}, Tensors.TensorView{T})"/>:
    /// with sum_dy = Σdy, dot = Σ(x − mu)·dy and invstd = 1/sqrt(s2 + eps) per channel (per ghost chunk),
    /// dbeta = sum_dy, dgamma = dot·invstd, dx = gamma·invstd·(dy − sum_dy/n − (x − mu)·invstd²·dot/n), dx written into
    /// <paramref name="inputGradient"/>.
    /// </summary>
    /// <param name="dy">Gradient of the output, with the input's lengths, any non-negative strides.</param>
    /// <param name="x">The input of the training step, unchanged since, with the lengths and strides it had then (its
    /// memory may have moved: a copy with the same layout will do).</param>
    /// <param name="train">The training step being differentiated.</param>
    /// <param name="inputGradient">dx, with the input's lengths, each element addressed once; its memory range must not
    /// overlap <paramref name="x"/>'s, and not <paramref name="dy"/>'s unless it is exactly <paramref name="dy"/> (dx written over dy).</param>
    /// <returns>dgamma and dbeta per channel.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="train"/> is null.</exception>
    /// <exception cref="ArgumentException">A span <see cref="TensorSpanBatchNorm"/> rejects (<c>dy</c>, <c>x</c>, <c>inputGradient</c>);
    /// <paramref name="x"/> has other lengths or strides than the step's input (<c>x</c>); other lengths (<c>dy</c>, <c>inputGradient</c>).</exception>
    /// <exception cref="InvalidOperationException">Another backward pass of the same <paramref name="train"/> is running on another thread.</exception>
    public static ParameterGradients<T> Backward<T>(
        ReadOnlyTensorSpan<T> dy, ReadOnlyTensorSpan<T> x, TensorSpanTrainResult<T> train, TensorSpan<T> inputGradient)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(train);
        return Gradients(dy, x, inputGradient, train.Input, train.Exchange, (outputGradient, _, result) => BatchNorm.Backward(outputGradient.View, train.Step, result.View));
    }

    /// <summary>
    /// Inference-mode backward (moving statistics), as
    /// <see cref="BatchNorm.BackwardInference{T}(Tensors.TensorView{T}, Tensors.TensorView{T}, BatchNormState{T}, BatchNormConfig, Tensors.TensorView{T})"/>:
    /// dx = dy·gamma/sqrt(moving_var + eps) into <paramref name="inputGradient"/>; dgamma = Σdy·(x − moving_mean)/sqrt(moving_var + eps); dbeta = Σdy.
    /// </summary>
    /// <param name="dy">Gradient of the output, with the input's lengths, any non-negative strides.</param>
    /// <param name="x">The input of the inference, any non-negative strides.</param>
    /// <param name="state">The state inference used.</param>
    /// <param name="config">Settings; null for tensorpack's defaults.</param>
    /// <param name="inputGradient">dx, as for <see cref="Backward{T}"/>: each element once, apart from <paramref name="x"/>, apart from
    /// or exactly <paramref name="dy"/>.</param>
    /// <returns>dgamma and dbeta per channel.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="state"/> is null.</exception>
    /// <exception cref="ArgumentException">A span <see cref="TensorSpanBatchNorm"/> rejects; as <see cref="Infer{T}"/> for <paramref name="x"/>
    /// and <paramref name="state"/>; other lengths (<c>dy</c>, <c>inputGradient</c>).</exception>
    /// <exception cref="ArgumentOutOfRangeException">The configured axis is out of range (<c>axis</c>).</exception>
    public static ParameterGradients<T> BackwardInference<T>(
        ReadOnlyTensorSpan<T> dy, ReadOnlyTensorSpan<T> x, BatchNormState<T> state, BatchNormConfig? config, TensorSpan<T> inputGradient)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Gradients(dy, x, inputGradient, null, null, (outputGradient, input, result) =>
            BatchNorm.BackwardInference(outputGradient.View, input.View, state, config, result.View));

    /// <summary>
    /// Maps dy, x and dx, pins them, checks dx is apart from both (or exactly dy) and runs <paramref name="pass"/> on their
    /// views, which are detached again when it returns. With <paramref name="trainedInput"/> x must have the training
    /// step's geometry and is read through the step's retained input view; without, x is mapped afresh. A failed check
    /// fails <paramref name="sync"/> too.
    /// </summary>
    private static unsafe ParameterGradients<T> Gradients<T>(
        ReadOnlyTensorSpan<T> dy, ReadOnlyTensorSpan<T> x, TensorSpan<T> inputGradient, SpanOperand<T>? trainedInput, IStatisticsExchange? sync,
        Func<SpanOperand<T>, SpanOperand<T>, SpanOperand<T>, BatchNormGradients<T>> pass)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        SpanOperand<T> outputGradient;
        SpanOperand<T> input;
        SpanOperand<T> result;
        try
        {
            outputGradient = SpanOperand<T>.Of(dy.Lengths, dy.Strides, nameof(dy), output: false);
            input = SpanOperand<T>.Of(x.Lengths, x.Strides, nameof(x), output: false);
            trainedInput?.CheckSameGeometry(input);
            input = trainedInput ?? input;
            result = SpanOperand<T>.Of(inputGradient.Lengths, inputGradient.Strides, nameof(inputGradient), output: true);
        }
        catch (Exception ex) when (sync is not null)
        {
            // Checked before the first collective: the other workers wait there for this one, so tell them it failed.
            sync.Fail(ex);
            throw;
        }

        fixed (T* outputGradientStart = dy)
        fixed (T* inputStart = x)
        fixed (T* resultStart = inputGradient)
        {
            using (PinnedCall<T>.Backward(outputGradient, outputGradientStart, input, inputStart, result, resultStart, sync))
            {
                var gradients = pass(outputGradient, input, result);
                return new ParameterGradients<T>(gradients.GammaGradient, gradients.BetaGradient);
            }
        }
    }
}
