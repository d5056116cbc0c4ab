using System.Numerics;
using BnNative.Tensors;

namespace BnNative.Tests.Properties.Distributed;

/// <summary>
/// A run of consecutive samples on axis 0, the batch axis: one ghost chunk (SPEC §6) or one replica's share of a
/// synchronized batch (SPEC §7), possibly empty. The tensors of this folder never hold their channels on axis 0, so a
/// part's row-major values are one contiguous range of the whole tensor's row-major values, with the same channel at
/// each offset.
/// </summary>
/// <param name="Start">First sample.</param>
/// <param name="Length">Number of samples, ≥ 0.</param>
public readonly record struct BatchPart(int Start, int Length)
{
    /// <summary>Parts of the given lengths, one after the other from sample 0.</summary>
    public static BatchPart[] Consecutive(IEnumerable<int> lengths)
    {
        var parts = new List<BatchPart>();
        int start = 0;
        foreach (int length in lengths)
        {
            parts.Add(new BatchPart(start, length));
            start += length;
        }

        return [.. parts];
    }

    /// <summary>The ghost chunks of a batch of <paramref name="batch"/> samples: <paramref name="virtualBatchSize"/> samples each.</summary>
    public static BatchPart[] Chunks(int batch, int virtualBatchSize) =>
        Consecutive(Enumerable.Repeat(virtualBatchSize, batch / virtualBatchSize));

    /// <summary>This part of <paramref name="view"/> (a slice on axis 0, no copy).</summary>
    public TensorView<T> Of<T>(TensorView<T> view)
        where T : unmanaged, IFloatingPointIeee754<T> => view.Slice(0, Start, Length);

    /// <summary>This part of <paramref name="tensor"/>: axis 0 cut to <see cref="Length"/>, the values of those samples, the same channel, type and layout.</summary>
    public TensorCase Of(TensorCase tensor)
    {
        int row = RowLength(tensor.Lengths);
        return tensor with { Lengths = [Length, .. tensor.Lengths.Skip(1)], Values = tensor.Values[(Start * row)..((Start + Length) * row)] };
    }

    /// <summary>The row-major positions of this part in a tensor with <paramref name="lengths"/>.</summary>
    public Range Positions(int[] lengths)
    {
        int row = RowLength(lengths);
        return (Start * row)..((Start + Length) * row);
    }

    private static int RowLength(int[] lengths) => ChannelIndex.Product(lengths.Skip(1));
}
