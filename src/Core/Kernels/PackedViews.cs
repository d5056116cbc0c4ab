using System.Buffers;
using System.Numerics;
using BnNative.Tensors;

namespace BnNative.Kernels;

/// <summary>
/// The fallback for views that share no <see cref="ChannelLayout"/>: every view that is not row-major contiguous is
/// replaced by a row-major copy in a buffer rented from <see cref="ArrayPool{T}"/> (inputs copied in), so all of them
/// share the row-major layout; <see cref="CopyOutput"/> writes the packed output back and <see cref="Dispose"/> returns
/// the buffers. Only unusual views (slices along a contiguous axis, mixed layouts) take this path.
/// </summary>
internal sealed class PackedViews<T> : IDisposable
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly TensorView<T>?[] _original;
    private readonly T[]?[] _rented;

    /// <summary>Packs <paramref name="views"/>; the last one is the output when <paramref name="lastIsOutput"/>.</summary>
    public PackedViews(ReadOnlySpan<TensorView<T>> views, bool lastIsOutput)
    {
        Views = new TensorView<T>[views.Length];
        _original = new TensorView<T>?[views.Length];
        _rented = new T[]?[views.Length];
        for (int v = 0; v < views.Length; v++)
        {
            var view = views[v];
            if (view.Shape.IsRowMajorContiguous)
            {
                Views[v] = view;
                continue;
            }

            int count = checked((int)view.ElementCount);
            var buffer = ArrayPool<T>.Shared.Rent(count);
            _rented[v] = buffer;
            _original[v] = view;
            if (!(lastIsOutput && v == views.Length - 1))
            {
                TensorCopy.ToRowMajor<T>(view.Memory.Span, view.Shape, buffer);
            }

            Views[v] = TensorView<T>.Create(buffer.AsMemory(0, count), view.Lengths);
        }
    }

    /// <summary>The views to run the kernel on, in the order given.</summary>
    public TensorView<T>[] Views { get; }

    /// <summary>Copies the packed output (the last view) into the caller's output view, if it was packed.</summary>
    public void CopyOutput()
    {
        int last = Views.Length - 1;
        if (_original[last] is { } output)
        {
            TensorCopy.FromRowMajor<T>(Views[last].Memory.Span, output.Memory.Span, output.Shape);
        }
    }

    /// <summary>Returns the rented buffers.</summary>
    public void Dispose()
    {
        for (int v = 0; v < _rented.Length; v++)
        {
            if (_rented[v] is { } buffer)
            {
                _rented[v] = null;
                ArrayPool<T>.Shared.Return(buffer);
            }
        }
    }
}
