using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using BnNative.Tensors;

namespace BnNative.NumericsTensors;

/// <summary>
/// A <see cref="TensorView{T}"/> of a System.Numerics.Tensors <see cref="System.Numerics.Tensors.Tensor{T}"/>, without a
/// copy, valid until disposed: the tensor's array is pinned (<see cref="System.Numerics.Tensors.Tensor{T}.GetPinnedHandle"/>)
/// and the view reads and writes its elements in place, with the tensor's lengths and strides. Create it with
/// <see cref="TensorViewInterop.Pin{T}"/> in a <c>using</c> statement.
/// </summary>
/// <remarks>
/// Lifetime contract: use <see cref="View"/>, and anything that keeps it (a <see cref="Normalization.BatchNormTrainResult{T}"/>,
/// <see cref="Normalization.BatchNormGradients{T}"/>), only before <see cref="Dispose"/>. After it, the array is unpinned and every
/// access to the view's elements throws <see cref="ObjectDisposedException"/>. The tensor itself stays usable. Pinning blocks
/// the garbage collector from compacting around the array, so keep the scope short. There is no finalizer: BnNative's
/// kernels reach the elements through raw pointers, which do not keep this object reachable, so a finalizer could unpin
/// the array while a kernel still writes it. A pin never disposed therefore stays pinned: always dispose it.
/// </remarks>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed unsafe class PinnedTensorView<T> : IDisposable
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly SpanOperand<T> _operand;
    private MemoryHandle _handle;
    private bool _disposed;

    internal PinnedTensorView(System.Numerics.Tensors.Tensor<T> tensor)
    {
        _operand = SpanOperand<T>.Of(tensor.Lengths, tensor.Strides, nameof(tensor), output: false);
        _handle = tensor.GetPinnedHandle();

        // The handle pins the tensor's whole array (its pointer is the array's start, not the tensor's first element, which
        // a sliced tensor moves): the first element is where the tensor's span starts, and it stays put while pinned.
        _operand.Memory.Attach((T*)Unsafe.AsPointer(ref tensor.AsTensorSpan().GetPinnableReference()));
    }

    /// <summary>The view: the tensor's lengths and strides over its pinned elements, offset 0 at its first element.</summary>
    /// <exception cref="ObjectDisposedException">This pin was disposed.</exception>
    public TensorView<T> View => _disposed ? throw new ObjectDisposedException(nameof(PinnedTensorView<T>)) : _operand.View;

    /// <summary>Unpins the tensor; the view's elements can no longer be read or written (idempotent).</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _operand.Memory.Detach();
        _handle.Dispose();
    }
}
