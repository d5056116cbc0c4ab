namespace BnNative.Tensors;

/// <summary>Copies a strided view into a row-major buffer (the packing step for views no kernel can read directly).</summary>
internal static class TensorCopy
{
    /// <summary>Copies the elements <paramref name="shape"/> addresses in <paramref name="source"/> to <paramref name="destination"/> in row-major order.</summary>
    public static void ToRowMajor<T>(ReadOnlySpan<T> source, TensorShape shape, Span<T> destination)
    {
        long count = shape.ElementCount;
        if (count == 0)
        {
            return;
        }

        if (shape.IsRowMajorContiguous)
        {
            source.Slice(checked((int)shape.Offset), checked((int)count)).CopyTo(destination);
            return;
        }

        int rank = shape.Rank;
        if (rank == 0)
        {
            destination[0] = source[checked((int)shape.Offset)];
            return;
        }

        int innerLength = shape.Length(rank - 1);
        long innerStride = shape.Stride(rank - 1);
        Span<int> index = stackalloc int[rank];
        long baseOffset = shape.Offset;
        int written = 0;
        while (true)
        {
            if (innerStride == 1)
            {
                source.Slice((int)baseOffset, innerLength).CopyTo(destination.Slice(written, innerLength));
            }
            else
            {
                long at = baseOffset;
                var row = destination.Slice(written, innerLength);
                for (int i = 0; i < row.Length; i++, at += innerStride)
                {
                    row[i] = source[(int)at];
                }
            }

            written += innerLength;
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
