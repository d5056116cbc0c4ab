using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using BnNative.Tensors;

namespace BnNative.Tests.NumericsTensors;

/// <summary>
/// Where a tensor lies in a buffer: lengths, strides (elements) and the index of its first element. The same layout gives a
/// BnNative view and a System.Numerics.Tensors span over the same array, so a computation over one can be compared
/// bit for bit with the same computation over the other.
/// </summary>
/// <param name="Name">What the layout shows, for failure messages.</param>
/// <param name="Lengths">Axis lengths.</param>
/// <param name="Strides">Axis strides in elements, ≥ 0.</param>
/// <param name="Offset">Buffer index of the first element.</param>
/// <param name="Padding">Unaddressed elements after the last one.</param>
internal sealed record SpanLayout(string Name, int[] Lengths, long[] Strides, int Offset = 0, int Padding = 0)
{
    /// <summary>Row-major lengths, no gaps.</summary>
    public static SpanLayout Dense(params int[] lengths) =>
        new($"dense [{string.Join(", ", lengths)}]", lengths, TensorShape.RowMajor(lengths).Strides.ToArray());

    /// <summary>
    /// A row-major buffer of <paramref name="stored"/> lengths seen through <paramref name="axes"/> (axis i of the layout is
    /// axis <c>axes[i]</c> of the buffer): an NCHW buffer read as NHWC, for instance.
    /// </summary>
    public static SpanLayout Permuted(int[] stored, params int[] axes)
    {
        var strides = TensorShape.RowMajor(stored).Strides.ToArray();
        return new(
            $"[{string.Join(", ", stored)}] permuted by ({string.Join(", ", axes)})",
            [.. axes.Select(a => stored[a])],
            [.. axes.Select(a => strides[a])]);
    }

    /// <summary>Row-major lengths with every axis's stride widened by <paramref name="gap"/> elements per step, after <paramref name="offset"/> leading elements.</summary>
    public static SpanLayout Gapped(int offset, int gap, params int[] lengths)
    {
        var strides = new long[lengths.Length];
        long stride = 1;
        for (int axis = lengths.Length - 1; axis >= 0; axis--)
        {
            strides[axis] = stride;
            stride = (stride * lengths[axis]) + gap;
        }

        return new($"gapped [{string.Join(", ", lengths)}] strides [{string.Join(", ", strides)}] offset {offset}", lengths, strides, offset, gap + 3);
    }

    /// <summary>The shape the layout describes.</summary>
    public TensorShape Shape => new(Lengths, Strides, Offset);

    /// <summary>Elements a buffer for the layout holds.</summary>
    public int BufferLength => checked((int)Shape.MaxOffset + 1 + Padding);

    /// <summary>For every buffer index, whether the layout addresses it.</summary>
    public bool[] Addressed()
    {
        var mask = new bool[BufferLength];
        var shape = Shape;
        var index = new int[Lengths.Length];
        for (long n = 0; n < shape.ElementCount; n++)
        {
            long rest = n;
            for (int axis = Lengths.Length - 1; axis >= 0; axis--)
            {
                index[axis] = (int)(rest % Lengths[axis]);
                rest /= Lengths[axis];
            }

            mask[shape.IndexOf(index)] = true;
        }

        return mask;
    }

    /// <summary>A BnNative view of <paramref name="buffer"/>.</summary>
    public TensorView<T> View<T>(T[] buffer)
        where T : unmanaged, IFloatingPointIeee754<T> => new(buffer, Shape);

    /// <summary>A tensor span over the same elements of <paramref name="buffer"/> as <see cref="View{T}"/>.</summary>
    public TensorSpan<T> Span<T>(T[] buffer) =>
        new(buffer, Offset, [.. Lengths.Select(l => (nint)l)], [.. Strides.Select((s, axis) => Lengths[axis] <= 1 ? 0 : (nint)s)]);

    /// <summary>A buffer for the layout: addressed elements random in [−2, 2) with the given channel-dependent shift, the rest <paramref name="fill"/>.</summary>
    public T[] Buffer<T>(int seed, T fill)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new Random(seed);
        var mask = Addressed();
        var buffer = new T[BufferLength];
        for (int i = 0; i < buffer.Length; i++)
        {
            buffer[i] = mask[i] ? T.CreateTruncating((random.NextDouble() * 4) - 2 + (i % 5)) : fill;
        }

        return buffer;
    }

    /// <summary>A buffer for the layout with every element <paramref name="fill"/>.</summary>
    public T[] Filled<T>(T fill)
    {
        var buffer = new T[BufferLength];
        Array.Fill(buffer, fill);
        return buffer;
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>Bitwise comparisons of buffers.</summary>
internal static class BitsAssert
{
    /// <summary>Asserts the two buffers hold the same bits, naming the first index that differs.</summary>
    public static void Equal<T>(T[] expected, T[] actual, string what)
        where T : unmanaged
    {
        Assert.Equal(expected.Length, actual.Length);
        var left = MemoryMarshal.AsBytes(expected.AsSpan());
        var right = MemoryMarshal.AsBytes(actual.AsSpan());
        if (!left.SequenceEqual(right))
        {
            int index = Enumerable.Range(0, expected.Length).First(i => !EqualityComparer<T>.Default.Equals(expected[i], actual[i]) || !SameBits(expected[i], actual[i]));
            Assert.Fail($"{what}: index {index} holds {actual[index]}, expected {expected[index]} (bitwise).");
        }
    }

    /// <summary>
    /// Asserts an output buffer of <paramref name="layout"/> holds the expected bits and every element the layout does
    /// not address still holds <paramref name="fill"/>.
    /// </summary>
    public static void Output<T>(SpanLayout layout, T[] expected, T[] actual, T fill, string what)
        where T : unmanaged
    {
        Equal(expected, actual, what);
        Untouched(layout, actual, fill, what);
    }

    /// <summary>Asserts every element the layout does not address still holds <paramref name="fill"/>.</summary>
    public static void Untouched<T>(SpanLayout layout, T[] buffer, T fill, string what)
        where T : unmanaged
    {
        var mask = layout.Addressed();
        for (int i = 0; i < buffer.Length; i++)
        {
            if (!mask[i] && !SameBits(buffer[i], fill))
            {
                Assert.Fail($"{what}: index {i}, which {layout} does not address, changed to {buffer[i]}.");
            }
        }
    }

    private static bool SameBits<T>(T left, T right)
        where T : unmanaged =>
        MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in left)).SequenceEqual(MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in right)));
}
