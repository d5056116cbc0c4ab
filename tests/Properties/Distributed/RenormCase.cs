using System.Globalization;
using System.Numerics;
using BnNative.Collections;
using BnNative.Moments;
using BnNative.Normalization;
using BnNative.Tests.Properties.Normalization;

namespace BnNative.Tests.Properties.Distributed;

/// <summary>
/// A batch renormalization step (SPEC §8): a step, optionally under ghost batch norm, with clip bounds and a renorm
/// state. The renorm state's values are already rounded to the element type, like the rest of the state.
/// </summary>
/// <param name="Step">The input, the plain state and the settings.</param>
/// <param name="VirtualBatchSize">V for ghost batch norm (it divides the batch size), or null for the whole batch.</param>
/// <param name="RMax">r's bound, ≥ 1.</param>
/// <param name="DMax">d's bound, ≥ 0.</param>
/// <param name="RenormMean">Per-channel renorm_mean.</param>
/// <param name="RenormStddev">Per-channel renorm_stddev, ≥ 0.</param>
/// <param name="MovingStddev">Per-channel moving_stddev, ≥ 0.</param>
public sealed record RenormCase(
    NormalizationCase Step, int? VirtualBatchSize, double RMax, double DMax, double[] RenormMean, double[] RenormStddev, double[] MovingStddev)
{
    /// <summary>The parts normalized together: the ghost chunks, or the whole batch.</summary>
    public BatchPart[] Chunks => BatchPart.Chunks(Step.Tensor.Lengths[0], VirtualBatchSize ?? Step.Tensor.Lengths[0]);

    /// <summary>The step's settings with renorm on (and ghost batch norm when <see cref="VirtualBatchSize"/> is set).</summary>
    public BatchNormConfig Config(MomentsBackend moments, EmaUpdate update = EmaUpdate.Skip) =>
        PlainConfig(moments, update) with { Renorm = new BatchRenorm(RMax, DMax) };

    /// <summary>The same settings without renorm.</summary>
    public BatchNormConfig PlainConfig(MomentsBackend moments, EmaUpdate update = EmaUpdate.Skip) =>
        Step.Config(moments, update) with { VirtualBatchSize = VirtualBatchSize };

    /// <summary>The step's state with this case's renorm state.</summary>
    public BatchNormState<T> State<T>()
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Step.State<T>() with { Renorm = new BatchRenormState<T>(Vector<T>(RenormMean), Vector<T>(RenormStddev), Vector<T>(MovingStddev)) };

    /// <summary>s_R = max(renorm_stddev, sqrt(eps)) of channel <paramref name="c"/>.</summary>
    public double RenormScale(int c) => Math.Max(RenormStddev[c], Math.Sqrt(Step.Epsilon));

    /// <inheritdoc />
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"V = {VirtualBatchSize?.ToString(CultureInfo.InvariantCulture) ?? "null"}, rmax {RMax:R}, dmax {DMax:R}, renorm mean [{Join(RenormMean)}], "
        + $"renorm stddev [{Join(RenormStddev)}], moving stddev [{Join(MovingStddev)}], {Step}");

    private static ReadOnlyVector<T> Vector<T>(double[] values)
        where T : unmanaged, IFloatingPointIeee754<T> => ReadOnlyVector.Create(values.Select(T.CreateTruncating).ToArray());

    private static string Join(double[] values) => string.Join(", ", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
}
