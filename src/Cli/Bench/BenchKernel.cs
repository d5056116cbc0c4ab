using BnNative.Moments;
using BnNative.Normalization;

namespace BnNative.Cli.Bench;

/// <summary>The public-API call a benchmark row times, bound to its tensors and configuration.</summary>
internal static class BenchKernel
{
    /// <summary>
    /// The configuration of a row: <c>new BatchNormConfig { Axis = channel axis, EmaUpdate = Internal, Threads, Moments }</c>.
    /// </summary>
    public static BatchNormConfig Config(BenchTensors tensors, int threads, MomentsBackend backend)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        return new BatchNormConfig { Axis = tensors.ChannelAxis, EmaUpdate = EmaUpdate.Internal, Threads = threads, Moments = backend };
    }

    /// <summary>
    /// One call of <paramref name="op"/> on <paramref name="tensors"/> through <paramref name="api"/>, from the initial
    /// state. For backward, the training step it differentiates runs here, once, so that the call only runs the
    /// backward pass. A layer's training calls advance its moving statistics, as a training loop's do.
    /// </summary>
    public static Action Create(BenchOp op, BenchTensors tensors, int threads, MomentsBackend backend, BenchApi api = BenchApi.Layer)
    {
        if (api == BenchApi.Bound)
        {
            return BoundKernels.Create(op, tensors, threads);
        }

        var config = Config(tensors, threads, backend);
        if (api == BenchApi.Layer)
        {
            var layer = new BatchNormLayer<float>(tensors.Case.Channels, config);
            switch (op)
            {
                case BenchOp.Train:
                    return () => layer.Train(tensors.X, tensors.Y);
                case BenchOp.Infer:
                    return () => layer.Infer(tensors.X, tensors.Y);
                default:
                    layer.Train(tensors.X, tensors.Y);
                    return () => layer.Backward(tensors.Dy, tensors.Dx);
            }
        }

        var state = BatchNormState<float>.Init(tensors.Case.Channels);
        switch (op)
        {
            case BenchOp.Train:
                return () => BatchNorm.Train(tensors.X, state, config, tensors.Y);
            case BenchOp.Infer:
                return () => BatchNorm.Infer(tensors.X, state, config, tensors.Y);
            default:
                var train = BatchNorm.Train(tensors.X, state, config, tensors.Y);
                return () => BatchNorm.Backward(tensors.Dy, train, tensors.Dx);
        }
    }
}
