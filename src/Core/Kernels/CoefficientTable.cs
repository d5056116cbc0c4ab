using System.Buffers;
using System.Numerics;
using System.Runtime.Intrinsics;

namespace BnNative.Kernels;

/// <summary>
/// Per-channel coefficients of an element-wise or reduction kernel, in the layout the kernels read: coefficient j of
/// channel c at <c>j·Stride + c</c>, each row followed by its first <see cref="Wrap"/> entries again, so a vector
/// starting at any channel phase reads its coefficients contiguously (the channel index wraps within a row of
/// channels). Pooled storage; <see cref="Dispose"/> returns it.
/// </summary>
internal struct CoefficientTable<T> : IDisposable
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private T[]? _values;
    private readonly bool _pooled;

    /// <summary>A table of <paramref name="count"/> coefficients for <paramref name="channels"/> channels.</summary>
    public CoefficientTable(int channels, int count)
    {
        Channels = channels;
        Count = count;
        Stride = StrideOf(channels);
        _values = ArrayPool<T>.Shared.Rent(count * Stride);
        _pooled = true;
    }

    /// <summary>
    /// A table over <paramref name="storage"/> (at least <see cref="Length"/> entries), which stays the caller's:
    /// <see cref="Dispose"/> leaves it (a <see cref="Normalization.BatchNormLayer{T}"/> keeps its tables, so a call
    /// rents nothing).
    /// </summary>
    public CoefficientTable(int channels, int count, T[] storage)
    {
        Channels = channels;
        Count = count;
        Stride = StrideOf(channels);
        if (storage.Length < Length(channels, count))
        {
            throw new ArgumentException($"A table of {count} coefficients for {channels} channels needs {Length(channels, count)} entries; got {storage.Length}.", nameof(storage));
        }

        _values = storage;
        _pooled = false;
    }

    /// <summary>Entries of a table of <paramref name="count"/> coefficients for <paramref name="channels"/> channels (the storage it needs).</summary>
    public static int Length(int channels, int count) => count * StrideOf(channels);

    /// <summary>Number of channels.</summary>
    public int Channels { get; }

    /// <summary>
    /// How many entries each row repeats after its end: one vector of the widest width the kernels use (<see cref="Vector{T}"/>
    /// or 512 bits), so a vector starting at any channel phase reads contiguously.
    /// </summary>
    public static int Wrap => Math.Max(Vector<T>.Count, Vector512<T>.Count);

    /// <summary>Number of coefficients per channel.</summary>
    public int Count { get; }

    /// <summary>Distance between two coefficients' rows.</summary>
    public int Stride { get; }

    /// <summary>The storage (pin it to hand it to a kernel).</summary>
    public readonly T[] Values => _values ?? throw new ObjectDisposedException(nameof(CoefficientTable<T>));

    /// <summary>Coefficient <paramref name="index"/>'s row of channels, to fill before <see cref="Seal()"/>.</summary>
    public readonly Span<T> Row(int index) => Values.AsSpan(index * Stride, Channels);

    /// <summary>Repeats each row's start after its end; call once every row is filled.</summary>
    public readonly void Seal() => Seal(Values, Channels, Count);

    /// <summary>
    /// <see cref="Seal()"/> for a table of <paramref name="count"/> rows of <paramref name="channels"/> held in
    /// <paramref name="values"/> (at least <see cref="Length"/> entries, rows <see cref="StrideOf"/> apart), such as one on
    /// the stack.
    /// </summary>
    public static void Seal(Span<T> values, int channels, int count)
    {
        if (channels == 0)
        {
            return;
        }

        int stride = StrideOf(channels);
        for (int j = 0; j < count; j++)
        {
            RepeatStart(values.Slice(j * stride, stride), channels);
        }
    }

    /// <summary>Distance between two coefficients' rows in a table for <paramref name="channels"/> channels.</summary>
    public static int StrideOf(int channels) => channels + Wrap;

    /// <summary>
    /// Writes the first <see cref="Wrap"/> entries of a row of <paramref name="channels"/> again after its end (as often
    /// as it takes when the row is shorter): what <see cref="Seal()"/> does to every row; <paramref name="row"/> holds
    /// <paramref name="channels"/> + <see cref="Wrap"/> entries.
    /// </summary>
    public static void RepeatStart(Span<T> row, int channels)
    {
        for (int k = 0; k < Wrap; k += channels)
        {
            row[..Math.Min(channels, Wrap - k)].CopyTo(row[(channels + k)..]);
        }
    }

    /// <summary>Returns the storage to the pool.</summary>
    public void Dispose()
    {
        if (_values is { } values)
        {
            _values = null;
            if (_pooled)
            {
                ArrayPool<T>.Shared.Return(values);
            }
        }
    }
}
