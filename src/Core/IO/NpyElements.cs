using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using BnNative.Tensors;

namespace BnNative.IO;

/// <summary>
/// Moves the data block of a .npy file between a stream and typed elements of 4 or 8 bytes
/// (<see cref="float"/>, <see cref="double"/>, <see cref="long"/>), swapping bytes when the file's order is not
/// the host's, and reorders Fortran-order data into C order.
/// </summary>
internal static class NpyElements
{
    // Spans of bytes are int-indexed, so large arrays move in chunks; 1 MiB keeps the pooled buffer small.
    private const int ChunkBytes = 1 << 20;

    /// <summary>Writes <paramref name="values"/> little-endian.</summary>
    public static void Write<T>(Stream stream, ReadOnlySpan<T> values)
        where T : unmanaged
    {
        int chunk = ChunkBytes / Unsafe.SizeOf<T>();
        if (BitConverter.IsLittleEndian)
        {
            for (int start = 0; start < values.Length; start += chunk)
            {
                stream.Write(MemoryMarshal.AsBytes(values.Slice(start, Math.Min(chunk, values.Length - start))));
            }

            return;
        }

        var buffer = ArrayPool<T>.Shared.Rent(chunk);
        try
        {
            for (int start = 0; start < values.Length; start += chunk)
            {
                var part = buffer.AsSpan(0, Math.Min(chunk, values.Length - start));
                values.Slice(start, part.Length).CopyTo(part);
                ReverseBytes(part);
                stream.Write(MemoryMarshal.AsBytes(part));
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Fills <paramref name="destination"/> from <paramref name="stream"/>, stopping early at its end.
    /// </summary>
    /// <param name="stream">The source, positioned at the first data byte.</param>
    /// <param name="destination">Receives the elements in file order.</param>
    /// <param name="bigEndian">True when the file stores the elements big-endian.</param>
    /// <returns>The number of bytes read: <c>destination.Length · sizeof(T)</c> unless the stream ended first.</returns>
    public static long Read<T>(Stream stream, Span<T> destination, bool bigEndian)
        where T : unmanaged
    {
        int chunk = ChunkBytes / Unsafe.SizeOf<T>();
        long total = 0;
        for (int start = 0; start < destination.Length; start += chunk)
        {
            var bytes = MemoryMarshal.AsBytes(destination.Slice(start, Math.Min(chunk, destination.Length - start)));
            int read = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
            total += read;
            if (read < bytes.Length)
            {
                return total;
            }
        }

        if (bigEndian == BitConverter.IsLittleEndian)
        {
            ReverseBytes(destination);
        }

        return total;
    }

    /// <summary>
    /// The elements of a column-major (Fortran-order) block with the given axis lengths, reordered row-major.
    /// </summary>
    public static T[] FortranToRowMajor<T>(T[] source, ReadOnlySpan<int> lengths)
    {
        if (lengths.Length < 2 || source.Length == 0)
        {
            return source;
        }

        // Column-major is a strided view (first axis fastest) that the tensor copy gathers in row-major order.
        var strides = new long[lengths.Length];
        long stride = 1;
        for (int axis = 0; axis < lengths.Length; axis++)
        {
            strides[axis] = stride;
            stride *= lengths[axis];
        }

        var result = new T[source.Length];
        TensorCopy.ToRowMajor<T>(source, new TensorShape(lengths, strides), result);
        return result;
    }

    private static void ReverseBytes<T>(Span<T> values)
        where T : unmanaged
    {
        if (Unsafe.SizeOf<T>() == sizeof(int))
        {
            var ints = MemoryMarshal.Cast<T, int>(values);
            BinaryPrimitives.ReverseEndianness(ints, ints);
        }
        else
        {
            var longs = MemoryMarshal.Cast<T, long>(values);
            BinaryPrimitives.ReverseEndianness(longs, longs);
        }
    }
}
