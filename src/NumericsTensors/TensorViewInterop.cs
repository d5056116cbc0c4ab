using System.Numerics;
using System.Numerics.Tensors;
using BnNative.Tensors;

namespace BnNative.NumericsTensors;

/// <summary>
/// Conversions between System.Numerics.Tensors and BnNative's <see cref="TensorView{T}"/>, none of which copies elements:
/// a view of a <see cref="TensorSpan{T}"/> for the length of a callback, a view of a <see cref="System.Numerics.Tensors.Tensor{T}"/>
/// until disposed, and tensor spans of a view.
/// </summary>
public static class TensorViewInterop
{
    /// <summary>
    /// Runs <paramref name="body"/> with a view of <paramref name="span"/> (its lengths and strides, offset 0 at its first
    /// element) over its elements, pinned for the length of the call; reads and writes go straight to the span's memory.
    /// </summary>
    /// <remarks>
    /// Lifetime contract: the view, and anything that keeps it (a <see cref="Normalization.BatchNormTrainResult{T}"/> keeps its
    /// input and output), is valid only inside <paramref name="body"/>: after it returns, every access to the view's elements
    /// throws <see cref="ObjectDisposedException"/>. So run a training step and its backward pass inside one body. A pointer
    /// taken from the view's memory (<see cref="Memory{T}.Pin"/>) is valid only inside, too.
    /// </remarks>
    /// <param name="span">The elements to view; any non-negative strides (0 broadcasts an axis).</param>
    /// <param name="body">What to do with the view.</param>
    /// <returns>What <paramref name="body"/> returns.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is null.</exception>
    /// <exception cref="ArgumentException">Rank 0, a length above <see cref="int.MaxValue"/>, or a first-to-last element range
    /// above <see cref="int.MaxValue"/> (<c>span</c>).</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is neither float nor double.</exception>
    public static unsafe TResult WithView<T, TResult>(TensorSpan<T> span, Func<TensorView<T>, TResult> body)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(body);
        var operand = SpanOperand<T>.Of(span.Lengths, span.Strides, nameof(span), output: false);
        fixed (T* start = span)
        {
            operand.Memory.Attach(start);
            try
            {
                return body(operand.View);
            }
            finally
            {
                operand.Memory.Detach();
            }
        }
    }

    /// <summary>Pins <paramref name="tensor"/> and returns a view of it that is valid until the result is disposed (see <see cref="PinnedTensorView{T}"/>).</summary>
    /// <param name="tensor">The tensor to view; any strides it has (a slice, a permutation) carry over.</param>
    /// <returns>The pin; dispose it when done with the view.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tensor"/> is null.</exception>
    /// <exception cref="ArgumentException">Rank 0, a length above <see cref="int.MaxValue"/>, or a first-to-last element range
    /// above <see cref="int.MaxValue"/> (<c>tensor</c>).</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is neither float nor double.</exception>
    public static PinnedTensorView<T> Pin<T>(this System.Numerics.Tensors.Tensor<T> tensor)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(tensor);
        return new PinnedTensorView<T>(tensor);
    }

    /// <summary>
    /// A <see cref="TensorSpan{T}"/> over the view's elements, with its lengths and strides: writes through either show in
    /// the other. Valid as long as the view's <see cref="TensorView{T}.Memory"/> is (as any span of a <see cref="Memory{T}"/>).
    /// Strides of axes of length ≤ 1 become 0, as System.Numerics.Tensors requires; they address nothing else.
    /// </summary>
    /// <param name="view">The view, rank ≥ 1.</param>
    /// <exception cref="ArgumentNullException"><paramref name="view"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="view"/> has rank 0: a tensor span of rank 0 holds no element, the view one.</exception>
    public static TensorSpan<T> AsTensorSpan<T>(this TensorView<T> view)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(view);
        if (view.Rank == 0)
        {
            throw new ArgumentException(
                "view has rank 0 (one element); a TensorSpan of rank 0 addresses none, so there is no span of it. Reshape it to [1] first.",
                nameof(view));
        }

        int rank = view.Rank;
        Span<nint> lengths = stackalloc nint[rank];
        Span<nint> strides = stackalloc nint[rank];
        int range = SpanGeometryOf(view, lengths, strides);
        return new TensorSpan<T>(view.Memory.Span.Slice((int)view.Shape.Offset, range), lengths, strides);
    }

    /// <summary>As <see cref="AsTensorSpan{T}"/>, read-only.</summary>
    /// <param name="view">The view, rank ≥ 1.</param>
    /// <exception cref="ArgumentNullException"><paramref name="view"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="view"/> has rank 0.</exception>
    public static ReadOnlyTensorSpan<T> AsReadOnlyTensorSpan<T>(this TensorView<T> view)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        AsTensorSpan(view);

    /// <summary>
    /// Fills the span's lengths and strides for <paramref name="view"/> and returns the number of elements from its first
    /// to its last (0 when empty, and then every stride 0).
    /// </summary>
    private static int SpanGeometryOf<T>(TensorView<T> view, Span<nint> lengths, Span<nint> strides)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool empty = view.ElementCount == 0;
        for (int axis = 0; axis < lengths.Length; axis++)
        {
            lengths[axis] = view.Lengths[axis];
            strides[axis] = empty || view.Lengths[axis] <= 1 ? 0 : checked((nint)view.Shape.Stride(axis));
        }

        return empty ? 0 : checked((int)(view.Shape.MaxOffset - view.Shape.Offset + 1));
    }
}
