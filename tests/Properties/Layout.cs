using System.Numerics;
using BnNative.Tensors;

namespace BnNative.Tests.Properties;

/// <summary>
/// Where the elements of a logical tensor sit in memory. The buffer holds a row-major tensor whose axes are the
/// logical axes in <see cref="StorageOrder"/>, each padded by <see cref="PadBefore"/> and <see cref="PadAfter"/>
/// entries, after <see cref="Lead"/> unused elements; the logical tensor is the view
/// <c>Permute(inverse order)</c> then <c>Slice</c> on every axis. Padding holds NaN, so a backend that reads
/// outside the view produces NaN moments.
/// </summary>
/// <param name="StorageOrder">Logical axes from outermost to innermost in memory (a permutation of 0..rank−1).</param>
/// <param name="PadBefore">Entries before the view on each logical axis.</param>
/// <param name="PadAfter">Entries after the view on each logical axis.</param>
/// <param name="Lead">Unused elements before the buffer the row-major tensor starts at.</param>
public sealed record Layout(int[] StorageOrder, int[] PadBefore, int[] PadAfter, int Lead)
{
    /// <summary>Row-major and contiguous: the layout <see cref="TensorView{T}.Create"/> gives.</summary>
    public static Layout Contiguous(int rank) =>
        new(Enumerable.Range(0, rank).ToArray(), new int[rank], new int[rank], 0);

    /// <summary>The logical tensor with <paramref name="lengths"/> and row-major <paramref name="values"/>, stored in this layout.</summary>
    public TensorView<T> Store<T>(int[] lengths, double[] values)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rank = lengths.Length;
        var storageLengths = StorageOrder.Select(axis => PadBefore[axis] + lengths[axis] + PadAfter[axis]).ToArray();
        var buffer = new T[Lead + ChannelIndex.Product(storageLengths)];
        Array.Fill(buffer, T.NaN);
        var inverse = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            inverse[StorageOrder[i]] = i;
        }

        var view = TensorView<T>.Create(buffer.AsMemory(Lead), storageLengths).Permute(inverse);
        for (int axis = 0; axis < rank; axis++)
        {
            view = view.Slice(axis, PadBefore[axis], lengths[axis]);
        }

        var index = new int[rank];
        foreach (double value in values)
        {
            view[index] = T.CreateTruncating(value);
            for (int axis = rank - 1; axis >= 0 && ++index[axis] == lengths[axis]; axis--)
            {
                index[axis] = 0;
            }
        }

        return view;
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"storage order [{string.Join(", ", StorageOrder)}], pads before [{string.Join(", ", PadBefore)}], "
        + $"after [{string.Join(", ", PadAfter)}], lead {Lead}";
}
