using System.Runtime.InteropServices;

namespace BnNative.Tensors;

/// <summary>Copies between a strided view and a row-major buffer (the packing step for views no kernel can read directly).</summary>
internal static class TensorCopy
{
    /// <summary>Copies the elements <paramref name="shape"/> addresses in <paramref name="source"/> to <paramref name="destination"/> in row-major order.</summary>
    public static void ToRowMajor<T>(ReadOnlySpan<T> source, TensorShape shape, Span<T> destination) =>
        Transfer(MemoryMarshal.CreateSpan(ref MemoryMarshal.GetReference(source), source.Length), shape, destination, toPacked: true);

    /// <summary>Copies the row-major <paramref name="source"/> into the elements <paramref name="shape"/> addresses in <paramref name="destination"/>.</summary>
    public static void FromRowMajor<T>(ReadOnlySpan<T> source, Span<T> destination, TensorShape shape) =>
        Transfer(destination, shape, MemoryMarshal.CreateSpan(ref MemoryMarshal.GetReference(source), source.Length), toPacked: false);

    private static void Transfer<T>(Span<T> strided, TensorShape shape, Span<T> packed, bool toPacked)
    {
        long count = shape.ElementCount;
        if (count == 0)
        {
            return;
        }

        if (shape.IsRowMajorContiguous)
        {
            var block = strided.Slice(checked((int)shape.Offset), checked((int)count));
            if (toPacked)
            {
                block.CopyTo(packed);
            }
            else
            {
                packed[..block.Length].CopyTo(block);
            }

            return;
        }

        int rank = shape.Rank;
        if (rank == 0)
        {
            if (toPacked)
            {
                packed[0] = strided[checked((int)shape.Offset)];
            }
            else
            {
                strided[checked((int)shape.Offset)] = packed[0];
            }

            return;
        }

        int innerLength = shape.Length(rank - 1);
        long innerStride = shape.Stride(rank - 1);
        Span<int> index = stackalloc int[rank];
        long baseOffset = shape.Offset;
        int done = 0;
        while (true)
        {
            var row = packed.Slice(done, innerLength);
            long at = baseOffset;
            for (int i = 0; i < row.Length; i++, at += innerStride)
            {
                if (toPacked)
                {
                    row[i] = strided[(int)at];
                }
                else
                {
                    strided[(int)at] = row[i];
                }
            }

            done += innerLength;
            int axis = rank - 2;
            for (; axis >= 0; axis--)
            {
                baseOffset += shape.Stride(axis);
                if (++index[axis] < shape.Length(axis))
                {
                    break;
                }

                baseOffset -= shape.Stride(axis) * shape.Length(axis);
                index[axis] = 0;
            }

            if (axis < 0)
            {
                return;
            }
        }
    }
}
