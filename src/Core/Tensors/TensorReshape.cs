namespace BnNative.Tensors;

/// <summary>Stride arithmetic for reshaping a view without copying.</summary>
internal static class TensorReshape
{
    /// <summary>
    /// Strides that address the same elements in the same row-major order with <paramref name="newLengths"/>,
    /// or null when the old strides make that impossible without a copy. Axes are grouped so that each group of
    /// old axes has the same element count as a group of new axes; within a group the old axes must be
    /// contiguous with each other.
    /// </summary>
    public static long[]? TryComputeStrides(ReadOnlySpan<int> oldLengths, ReadOnlySpan<long> oldStrides, int[] newLengths)
    {
        var newStrides = new long[newLengths.Length];
        if (newLengths.Contains(0))
        {
            long stride = 1;
            for (int axis = newLengths.Length - 1; axis >= 0; axis--)
            {
                newStrides[axis] = stride;
                stride *= Math.Max(newLengths[axis], 1);
            }

            return newStrides;
        }

        // Old axes without length-1 entries (they never constrain anything).
        var lengths = new List<int>();
        var strides = new List<long>();
        for (int axis = 0; axis < oldLengths.Length; axis++)
        {
            if (oldLengths[axis] != 1)
            {
                lengths.Add(oldLengths[axis]);
                strides.Add(oldStrides[axis]);
            }
        }

        int oi = 0;
        int ni = 0;
        while (ni < newLengths.Length)
        {
            if (newLengths[ni] == 1)
            {
                newStrides[ni] = 1;
                ni++;
                continue;
            }

            if (oi >= lengths.Count)
            {
                return null;
            }

            // Grow both groups until their products match.
            int oStart = oi;
            int nStart = ni;
            long oProduct = lengths[oi++];
            long nProduct = newLengths[ni++];
            while (oProduct != nProduct)
            {
                if (oProduct < nProduct)
                {
                    if (oi >= lengths.Count)
                    {
                        return null;
                    }

                    oProduct *= lengths[oi++];
                }
                else
                {
                    if (ni >= newLengths.Length)
                    {
                        return null;
                    }

                    nProduct *= newLengths[ni++];
                }
            }

            for (int k = oStart; k < oi - 1; k++)
            {
                if (strides[k] != strides[k + 1] * lengths[k + 1])
                {
                    return null;
                }
            }

            long stride = strides[oi - 1];
            for (int k = ni - 1; k >= nStart; k--)
            {
                newStrides[k] = stride;
                stride *= newLengths[k];
            }
        }

        return oi == lengths.Count ? newStrides : null;
    }
}
