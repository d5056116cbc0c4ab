using System.Numerics;

namespace BnNative.Tensors;

/// <summary>
/// A strided view of a float or double buffer: lengths, strides (in elements) and an offset over a
/// <see cref="Memory{T}"/>. Permute, Slice and Reshape return new views over the same memory and never copy.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class TensorView<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates a view of <paramref name="memory"/> with the given shape.</summary>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is neither float nor double.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="shape"/> is null.</exception>
    /// <exception cref="ArgumentException">The shape addresses elements beyond the end of <paramref name="memory"/>.</exception>
    public TensorView(Memory<T> memory, TensorShape shape)
    {
        if (typeof(T) != typeof(float) && typeof(T) != typeof(double))
        {
            throw new NotSupportedException($"TensorView supports float and double elements, not {typeof(T).Name}.");
        }

        ArgumentNullException.ThrowIfNull(shape);
        if (shape.ElementCount > 0 && shape.MaxOffset >= memory.Length)
        {
            throw new ArgumentException(
                $"The shape {shape} reaches buffer index {shape.MaxOffset} but the memory holds {memory.Length} elements.",
                nameof(shape));
        }

        Memory = memory;
        Shape = shape;
    }

    /// <summary>A row-major view of <paramref name="data"/> with the given lengths.</summary>
    /// <exception cref="ArgumentException">The product of <paramref name="lengths"/> differs from the data length.</exception>
    public static TensorView<T> Create(Memory<T> data, params ReadOnlySpan<int> lengths)
    {
        var shape = TensorShape.RowMajor(lengths);
        if (shape.ElementCount != data.Length)
        {
            throw new ArgumentException(
                $"lengths [{string.Join(", ", lengths.ToArray())}] describe {shape.ElementCount} elements but data holds {data.Length}.",
                nameof(lengths));
        }

        return new TensorView<T>(data, shape);
    }

    /// <summary>The underlying buffer.</summary>
    public Memory<T> Memory { get; }

    /// <summary>Lengths, strides and offset.</summary>
    public TensorShape Shape { get; }

    /// <summary>Number of axes.</summary>
    public int Rank => Shape.Rank;

    /// <summary>Axis lengths.</summary>
    public ReadOnlySpan<int> Lengths => Shape.Lengths;

    /// <summary>Number of elements the view addresses.</summary>
    public long ElementCount => Shape.ElementCount;

    /// <summary>Reads or writes the element at <paramref name="indices"/> (one index per axis).</summary>
    /// <exception cref="IndexOutOfRangeException">An index is outside its axis.</exception>
    public T this[params ReadOnlySpan<int> indices]
    {
        get => Memory.Span[checked((int)Shape.IndexOf(indices))];
        set => Memory.Span[checked((int)Shape.IndexOf(indices))] = value;
    }

    /// <summary>
    /// Reorders the axes: axis i of the result is axis <c>axes[i]</c> of this view. No data moves.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="axes"/> is not a permutation of 0..Rank−1.</exception>
    public TensorView<T> Permute(params ReadOnlySpan<int> axes)
    {
        if (axes.Length != Rank)
        {
            throw new ArgumentException($"axes has {axes.Length} entries but the view has rank {Rank}.", nameof(axes));
        }

        Span<bool> seen = stackalloc bool[Rank];
        var lengths = new int[Rank];
        var strides = new long[Rank];
        for (int i = 0; i < axes.Length; i++)
        {
            int axis = axes[i];
            if ((uint)axis >= (uint)Rank || seen[axis])
            {
                throw new ArgumentException(
                    $"axes [{string.Join(", ", axes.ToArray())}] is not a permutation of 0..{Rank - 1}.", nameof(axes));
            }

            seen[axis] = true;
            lengths[i] = Shape.Length(axis);
            strides[i] = Shape.Stride(axis);
        }

        return new TensorView<T>(Memory, new TensorShape(lengths, strides, Shape.Offset));
    }

    /// <summary>The sub-view of <paramref name="length"/> entries of <paramref name="axis"/> starting at <paramref name="start"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The axis or the range is outside the view.</exception>
    public TensorView<T> Slice(int axis, int start, int length)
    {
        if ((uint)axis >= (uint)Rank)
        {
            throw new ArgumentOutOfRangeException(nameof(axis), axis, $"axis must be in [0, {Rank - 1}].");
        }

        if (start < 0 || start > Shape.Length(axis))
        {
            throw new ArgumentOutOfRangeException(nameof(start), start, $"start must be in [0, {Shape.Length(axis)}] for axis {axis}.");
        }

        if (length < 0 || length > Shape.Length(axis) - start)
        {
            throw new ArgumentOutOfRangeException(
                nameof(length), length, $"length must be in [0, {Shape.Length(axis) - start}] for axis {axis} starting at {start}.");
        }

        var lengths = Shape.Lengths.ToArray();
        lengths[axis] = length;
        long offset = length == 0 ? Shape.Offset : Shape.Offset + (start * Shape.Stride(axis));
        return new TensorView<T>(Memory, new TensorShape(lengths, Shape.Strides, offset));
    }

    /// <summary>
    /// A view with new lengths over the same elements in row-major order, when the strides allow it without
    /// copying (always for contiguous views). One length may be −1: it is inferred.
    /// </summary>
    /// <exception cref="ArgumentException">The element counts differ, more than one length is −1, or the strides
    /// do not allow the reshape without a copy (the message says so; copy with <see cref="ToContiguous"/> first).</exception>
    public TensorView<T> Reshape(params ReadOnlySpan<int> lengths)
    {
        var newLengths = ResolveReshapeLengths(lengths);
        var strides = TensorReshape.TryComputeStrides(Shape.Lengths, Shape.Strides, newLengths)
            ?? throw new ArgumentException(
                $"Cannot reshape the view {Shape} to [{string.Join(", ", newLengths)}] without copying: its strides do not allow it. "
                + "Call ToContiguous() first.",
                nameof(lengths));
        return new TensorView<T>(Memory, new TensorShape(newLengths, strides, Shape.Offset));
    }

    /// <summary>Copies the elements in row-major (logical) order into <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <see cref="ElementCount"/>.</exception>
    public void CopyTo(Span<T> destination)
    {
        if (destination.Length < ElementCount)
        {
            throw new ArgumentException(
                $"destination holds {destination.Length} elements but the view has {ElementCount}.", nameof(destination));
        }

        TensorCopy.ToRowMajor(Memory.Span, Shape, destination);
    }

    /// <summary>A new array with the elements in row-major order.</summary>
    public T[] ToArray()
    {
        var result = new T[checked((int)ElementCount)];
        CopyTo(result);
        return result;
    }

    /// <summary>A row-major contiguous copy of this view in a new buffer.</summary>
    public TensorView<T> ToContiguous() => Create(ToArray(), Shape.Lengths);

    /// <summary>Formats the shape.</summary>
    public override string ToString() => $"TensorView<{typeof(T).Name}> {Shape}";

    private int[] ResolveReshapeLengths(ReadOnlySpan<int> lengths)
    {
        var result = lengths.ToArray();
        int inferred = -1;
        long known = 1;
        for (int i = 0; i < result.Length; i++)
        {
            if (result[i] == -1 && inferred < 0)
            {
                inferred = i;
                continue;
            }

            if (result[i] < 0)
            {
                throw new ArgumentException(
                    $"lengths [{string.Join(", ", result)}] may hold at most one −1 and otherwise lengths ≥ 0.", nameof(lengths));
            }

            known = checked(known * result[i]);
        }

        if (inferred >= 0)
        {
            if (known == 0 || ElementCount % known != 0)
            {
                throw new ArgumentException(
                    $"Cannot infer the −1 in [{string.Join(", ", result)}] for {ElementCount} elements.", nameof(lengths));
            }

            result[inferred] = checked((int)(ElementCount / known));
            known = ElementCount;
        }

        if (known != ElementCount)
        {
            throw new ArgumentException(
                $"lengths [{string.Join(", ", result)}] describe {known} elements but the view has {ElementCount}.", nameof(lengths));
        }

        return result;
    }
}
