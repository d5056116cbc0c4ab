using System.Collections;

namespace BnNative.Collections;

/// <summary>
/// An immutable vector with value equality: two vectors are equal when they have the same length and
/// element-wise equal contents (<see cref="EqualityComparer{T}.Default"/>, so NaN equals NaN and
/// +0 equals −0 for floating-point types). Records that hold statistics use it instead of raw arrays so that
/// record equality compares contents, and no caller can mutate a value after it was created.
/// </summary>
/// <typeparam name="T">Element type.</typeparam>
public sealed class ReadOnlyVector<T> : IReadOnlyList<T>, IEquatable<ReadOnlyVector<T>>
{
    private readonly T[] _items;

    private ReadOnlyVector(T[] items) => _items = items;

    /// <summary>The empty vector.</summary>
    public static ReadOnlyVector<T> Empty { get; } = new([]);

    /// <summary>Creates a vector holding a copy of <paramref name="items"/>.</summary>
    /// <param name="items">The elements; copied, so later changes to the source do not show.</param>
    public static ReadOnlyVector<T> Create(ReadOnlySpan<T> items) => items.IsEmpty ? Empty : new(items.ToArray());

    /// <summary>Creates a vector of <paramref name="length"/> copies of <paramref name="value"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative.</exception>
    public static ReadOnlyVector<T> Filled(int length, T value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var items = new T[length];
        Array.Fill(items, value);
        return new(items);
    }

    /// <summary>Takes ownership of <paramref name="items"/> without copying. The caller must not keep a reference.</summary>
    internal static ReadOnlyVector<T> Adopt(T[] items) => new(items);

    /// <summary>Number of elements.</summary>
    public int Length => _items.Length;

    int IReadOnlyCollection<T>.Count => _items.Length;

    /// <summary>The element at <paramref name="index"/>.</summary>
    public T this[int index] => _items[index];

    /// <summary>A read-only span over the elements (no copy).</summary>
    public ReadOnlySpan<T> AsSpan() => _items;

    /// <summary>A new array holding a copy of the elements.</summary>
    public T[] ToArray() => (T[])_items.Clone();

    /// <summary>Applies <paramref name="map"/> to every element.</summary>
    public ReadOnlyVector<TResult> Select<TResult>(Func<T, TResult> map)
    {
        ArgumentNullException.ThrowIfNull(map);
        var result = new TResult[_items.Length];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = map(_items[i]);
        }

        return ReadOnlyVector<TResult>.Adopt(result);
    }

    /// <inheritdoc />
    public bool Equals(ReadOnlyVector<T>? other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (other is null || other._items.Length != _items.Length)
        {
            return false;
        }

        var comparer = EqualityComparer<T>.Default;
        for (int i = 0; i < _items.Length; i++)
        {
            if (!comparer.Equals(_items[i], other._items[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as ReadOnlyVector<T>);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(_items.Length);
        foreach (var item in _items)
        {
            hash.Add(item);
        }

        return hash.ToHashCode();
    }

    /// <summary>Content equality.</summary>
    public static bool operator ==(ReadOnlyVector<T>? left, ReadOnlyVector<T>? right) =>
        left is null ? right is null : left.Equals(right);

    /// <summary>Content inequality.</summary>
    public static bool operator !=(ReadOnlyVector<T>? left, ReadOnlyVector<T>? right) => !(left == right);

    /// <inheritdoc />
    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Formats the elements as <c>[a, b, c]</c>.</summary>
    public override string ToString() => "[" + string.Join(", ", _items) + "]";
}

/// <summary>Factory methods for <see cref="ReadOnlyVector{T}"/> with type inference.</summary>
public static class ReadOnlyVector
{
    /// <summary>Creates a vector holding a copy of <paramref name="items"/>.</summary>
    public static ReadOnlyVector<T> Create<T>(params ReadOnlySpan<T> items) => ReadOnlyVector<T>.Create(items);
}
