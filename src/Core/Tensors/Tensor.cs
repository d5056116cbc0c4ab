using System.Numerics;

namespace BnNative.Tensors;

/// <summary>
/// A tensor that owns its buffer: a row-major array plus the <see cref="TensorView{T}"/> over it.
/// Use it to allocate outputs or to keep a contiguous copy of a view alive.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class Tensor<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private Tensor(T[] data, TensorView<T> view)
    {
        Data = data;
        View = view;
    }

    /// <summary>The owned row-major buffer.</summary>
    public T[] Data { get; }

    /// <summary>A row-major view of <see cref="Data"/>.</summary>
    public TensorView<T> View { get; }

    /// <summary>Axis lengths.</summary>
    public ReadOnlySpan<int> Lengths => View.Lengths;

    /// <summary>A new zero-filled tensor.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A length is negative.</exception>
    public static Tensor<T> Zeros(params ReadOnlySpan<int> lengths)
    {
        var shape = TensorShape.RowMajor(lengths);
        var data = new T[checked((int)shape.ElementCount)];
        return new Tensor<T>(data, new TensorView<T>(data, shape));
    }

    /// <summary>Takes ownership of <paramref name="data"/> (not copied) as a row-major tensor with the given lengths.</summary>
    /// <exception cref="ArgumentException">The product of <paramref name="lengths"/> differs from the data length.</exception>
    public static Tensor<T> FromArray(T[] data, params ReadOnlySpan<int> lengths)
    {
        ArgumentNullException.ThrowIfNull(data);
        return new Tensor<T>(data, TensorView<T>.Create(data, lengths));
    }

    /// <summary>A contiguous copy of <paramref name="view"/>.</summary>
    public static Tensor<T> CopyOf(TensorView<T> view)
    {
        ArgumentNullException.ThrowIfNull(view);
        return FromArray(view.ToArray(), view.Lengths);
    }

    /// <summary>The view of this tensor.</summary>
    public static implicit operator TensorView<T>(Tensor<T> tensor) => tensor.View;
}
