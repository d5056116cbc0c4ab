using BnNative.Tensors;

namespace BnNative.Moments;

/// <summary>
/// Runs the backend measured fastest for the input's form (bench/, see the README's performance table).
/// Never fails for lack of a native library.
/// </summary>
internal sealed class AutoMoments : MomentsBackend
{
    public override string Name => "auto";

    public override MomentsBackend Resolve<T>(TensorShape shape, int channelAxis) => Simd;

    protected override BatchMoments ComputeCore<T>(TensorView<T> x, int channelAxis, int threads) =>
        Resolve<T>(x.Shape, channelAxis).Compute(x, channelAxis, threads);
}
