using BnNative.Collections;
using BnNative.Normalization;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Storage;

namespace BnNative.MathNet;

/// <summary>
/// <see cref="BatchNormState{T}"/> to and from MathNet vectors. Both directions copy, and must: the state is an
/// immutable value whose vectors compare by content (<see cref="ReadOnlyVector{T}"/>), so it cannot share storage with a
/// MathNet vector that its owner may still change, and a MathNet vector handed out must not be able to change the state.
/// The copies are C elements each (one per channel), small next to a batch.
/// </summary>
public static class BatchNormStateVectors
{
    /// <summary>
    /// A state from MathNet vectors, in the order of the <see cref="BatchNormState{T}"/> constructor. Each vector is
    /// copied once (dense storage is read directly, other storage element by element).
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="movingMean">Per-channel moving mean; its length is the channel count, ≥ 1.</param>
    /// <param name="movingVariance">Per-channel moving variance, every entry ≥ 0.</param>
    /// <param name="gamma">Per-channel scale.</param>
    /// <param name="beta">Per-channel offset.</param>
    /// <param name="step">Moving-statistics updates applied so far, ≥ 0; default 0 (a fresh layer).</param>
    /// <returns>The state.</returns>
    /// <exception cref="ArgumentNullException">A vector is null (the exception names it).</exception>
    /// <exception cref="ArgumentException">The vectors differ in length (named: the one that differs from
    /// <paramref name="movingMean"/>), or <paramref name="movingMean"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="step"/> is negative, or a moving variance is negative.</exception>
    public static BatchNormState<T> FromVectors<T>(
        Vector<T> movingMean, Vector<T> movingVariance, Vector<T> gamma, Vector<T> beta, long step = 0)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(movingMean);
        ArgumentNullException.ThrowIfNull(movingVariance);
        ArgumentNullException.ThrowIfNull(gamma);
        ArgumentNullException.ThrowIfNull(beta);
        return new BatchNormState<T>(
            movingMean.ToReadOnlyVector(), movingVariance.ToReadOnlyVector(), gamma.ToReadOnlyVector(), beta.ToReadOnlyVector(), step);
    }

    /// <summary>
    /// A copy of a MathNet vector as an immutable <see cref="ReadOnlyVector{T}"/> (for example to set one vector of a state
    /// in a <c>with</c> expression: <c>state with { Gamma = gamma.ToReadOnlyVector() }</c>).
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="vector">The vector; any storage.</param>
    /// <returns>The copy.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="vector"/> is null.</exception>
    public static ReadOnlyVector<T> ToReadOnlyVector<T>(this Vector<T> vector)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(vector);
        return vector.Storage is DenseVectorStorage<T> dense
            ? ReadOnlyVector<T>.Create(dense.Data.AsSpan(0, dense.Length))
            : ReadOnlyVector<T>.Create(vector.ToArray());
    }

    /// <summary>
    /// A copy of a state vector (or any <see cref="ReadOnlyVector{T}"/>: batch moments, inverse std) as a new dense MathNet
    /// vector, for example <c>state.MovingVariance.ToMathNetVector()</c>. Changing it does not change the state.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="vector">The vector.</param>
    /// <returns>A dense vector with the same elements.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="vector"/> is null.</exception>
    public static Vector<T> ToMathNetVector<T>(this ReadOnlyVector<T> vector)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(vector);
        return Vector<T>.Build.Dense(vector.ToArray());
    }
}
