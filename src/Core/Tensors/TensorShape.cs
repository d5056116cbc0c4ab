using BnNative.Collections;

namespace BnNative.Tensors;

/// <summary>
/// The geometry of a tensor view: lengths per axis, strides per axis (in elements) and the offset of the
/// first element. Validated once on construction with checked arithmetic; the flags it derives are cached.
/// Strides are non-negative (a stride of 0 broadcasts an axis).
/// </summary>
public sealed class TensorShape : IEquatable<TensorShape>
{
    private readonly int[] _lengths;
    private readonly long[] _strides;

    /// <summary>Creates a shape with explicit strides and offset.</summary>
    /// <param name="lengths">Length of every axis; each ≥ 0.</param>
    /// <param name="strides">Stride of every axis in elements; each ≥ 0; same count as <paramref name="lengths"/>.</param>
    /// <param name="offset">Index of the first element in the underlying buffer; ≥ 0.</param>
    /// <exception cref="ArgumentException">The counts differ, or the addressed range overflows a 64-bit index.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A length, stride or the offset is negative.</exception>
    public TensorShape(ReadOnlySpan<int> lengths, ReadOnlySpan<long> strides, long offset = 0)
    {
        if (lengths.Length != strides.Length)
        {
            throw new ArgumentException(
                $"strides has {strides.Length} entries but lengths has {lengths.Length}; one stride per axis is expected.",
                nameof(strides));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        for (int axis = 0; axis < lengths.Length; axis++)
        {
            if (lengths[axis] < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(lengths), lengths[axis], $"lengths[{axis}] must be ≥ 0.");
            }

            if (strides[axis] < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(strides), strides[axis], $"strides[{axis}] must be ≥ 0 (negative strides are not supported).");
            }
        }

        _lengths = lengths.ToArray();
        _strides = strides.ToArray();
        Offset = offset;
        try
        {
            long count = 1;
            long maxOffset = offset;
            foreach (int length in _lengths)
            {
                count = checked(count * length);
            }

            if (count > 0)
            {
                for (int axis = 0; axis < _lengths.Length; axis++)
                {
                    maxOffset = checked(maxOffset + checked((_lengths[axis] - 1L) * _strides[axis]));
                }
            }

            ElementCount = count;
            MaxOffset = count > 0 ? maxOffset : offset - 1;
        }
        catch (OverflowException e)
        {
            throw new ArgumentException("The shape addresses more elements than a 64-bit index can hold.", nameof(lengths), e);
        }

        IsRowMajorContiguous = ComputeRowMajorContiguous();
        IsDense = IsRowMajorContiguous || ComputeDense();
    }

    /// <summary>A row-major contiguous shape (last axis fastest) starting at offset 0.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A length is negative.</exception>
    public static TensorShape RowMajor(params ReadOnlySpan<int> lengths)
    {
        var strides = new long[lengths.Length];
        long stride = 1;
        for (int axis = lengths.Length - 1; axis >= 0; axis--)
        {
            if (lengths[axis] < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(lengths), lengths[axis], $"lengths[{axis}] must be ≥ 0.");
            }

            strides[axis] = stride;
            stride = checked(stride * Math.Max(lengths[axis], 1));
        }

        return new TensorShape(lengths, strides);
    }

    /// <summary>Number of axes.</summary>
    public int Rank => _lengths.Length;

    /// <summary>Axis lengths.</summary>
    public ReadOnlySpan<int> Lengths => _lengths;

    /// <summary>Axis strides, in elements.</summary>
    public ReadOnlySpan<long> Strides => _strides;

    /// <summary>Buffer index of the element at all-zero indices.</summary>
    public long Offset { get; }

    /// <summary>Product of the lengths (0 when any axis is empty).</summary>
    public long ElementCount { get; }

    /// <summary>Largest buffer index the shape addresses (Offset − 1 when the shape is empty).</summary>
    public long MaxOffset { get; }

    /// <summary>
    /// True when the elements lie back to back in row-major order (last axis fastest), ignoring axes of length 1.
    /// </summary>
    public bool IsRowMajorContiguous { get; }

    /// <summary>
    /// True when the elements cover a contiguous buffer range exactly once, in some axis order
    /// (row-major, a permutation of it, …): no gaps, no overlap.
    /// </summary>
    public bool IsDense { get; }

    /// <summary>Length of <paramref name="axis"/>.</summary>
    public int Length(int axis) => _lengths[axis];

    /// <summary>Stride of <paramref name="axis"/>.</summary>
    public long Stride(int axis) => _strides[axis];

    /// <summary>The buffer index of the element at <paramref name="indices"/>.</summary>
    /// <exception cref="ArgumentException">Wrong number of indices.</exception>
    /// <exception cref="IndexOutOfRangeException">An index is outside its axis.</exception>
    public long IndexOf(ReadOnlySpan<int> indices)
    {
        if (indices.Length != _lengths.Length)
        {
            throw new ArgumentException($"Expected {_lengths.Length} indices, got {indices.Length}.", nameof(indices));
        }

        long index = Offset;
        for (int axis = 0; axis < indices.Length; axis++)
        {
            if ((uint)indices[axis] >= (uint)_lengths[axis])
            {
                throw new IndexOutOfRangeException($"Index {indices[axis]} is outside axis {axis} of length {_lengths[axis]}.");
            }

            index += indices[axis] * _strides[axis];
        }

        return index;
    }

    /// <summary>Row-major strides for this shape's lengths.</summary>
    public long[] RowMajorStrides() => RowMajor(_lengths).Strides.ToArray();

    /// <inheritdoc />
    public bool Equals(TensorShape? other) =>
        other is not null && Offset == other.Offset
        && _lengths.AsSpan().SequenceEqual(other._lengths) && _strides.AsSpan().SequenceEqual(other._strides);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as TensorShape);

    /// <inheritdoc />
    public override int GetHashCode() =>
        HashCode.Combine(Offset, ReadOnlyVector.Create<int>(_lengths), ReadOnlyVector.Create<long>(_strides));

    /// <summary>Formats as <c>[2, 3] strides [3, 1] offset 0</c>.</summary>
    public override string ToString() =>
        $"[{string.Join(", ", _lengths)}] strides [{string.Join(", ", _strides)}] offset {Offset}";

    private bool ComputeRowMajorContiguous()
    {
        long expected = 1;
        for (int axis = _lengths.Length - 1; axis >= 0; axis--)
        {
            if (_lengths[axis] == 1)
            {
                continue;
            }

            if (_strides[axis] != expected)
            {
                return false;
            }

            expected *= _lengths[axis];
        }

        return true;
    }

    private bool ComputeDense()
    {
        // Sort the non-trivial axes by stride; the shape is dense exactly when each stride equals the
        // span of the axes below it.
        var axes = Enumerable.Range(0, _lengths.Length).Where(a => _lengths[a] != 1).OrderBy(a => _strides[a]).ToArray();
        long expected = 1;
        foreach (int axis in axes)
        {
            if (_strides[axis] != expected)
            {
                return false;
            }

            expected *= _lengths[axis];
        }

        return true;
    }
}
