using System.Numerics;
using BnNative.Tensors;

namespace BnNative.Testing;

/// <summary>
/// Where the elements of a logical tensor sit in memory. The buffer holds, after <see cref="Lead"/> unused elements, a
/// row-major tensor whose axes are the logical axes in <see cref="StorageOrder"/>, each padded by
/// <see cref="PadBefore"/> and <see cref="PadAfter"/> entries; the logical tensor is the view
/// <c>Permute(inverse order)</c> then <c>Slice</c> on every axis. So a layout describes contiguous NCHW (the identity
/// order, no padding), NHWC memory viewed as NCHW (order [0, 2, 3, 1]), any other permutation, and strided views with
/// gaps between rows, planes or samples. The padding and the lead hold NaN, so code that reads outside the view
/// produces NaN. Equality is record equality: the arrays compare by reference.
/// </summary>
public sealed record StorageLayout
{
    /// <summary>Creates a layout; the arrays are used as given (not copied).</summary>
    /// <param name="storageOrder">Logical axes from outermost to innermost in memory: a permutation of 0..rank−1.</param>
    /// <param name="padBefore">Entries before the view on each logical axis, ≥ 0.</param>
    /// <param name="padAfter">Entries after the view on each logical axis, ≥ 0.</param>
    /// <param name="lead">Unused elements before the row-major tensor starts, ≥ 0.</param>
    /// <exception cref="ArgumentNullException">An array is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="storageOrder"/> is not a permutation of 0..rank−1, or a
    /// padding array does not hold rank non-negative entries.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="lead"/> is negative.</exception>
    public StorageLayout(int[] storageOrder, int[] padBefore, int[] padAfter, int lead)
    {
        ArgumentNullException.ThrowIfNull(storageOrder);
        if (!storageOrder.Order().SequenceEqual(Enumerable.Range(0, storageOrder.Length)))
        {
            throw new ArgumentException(
                $"storageOrder must be a permutation of 0..{storageOrder.Length - 1}, got [{string.Join(", ", storageOrder)}].", nameof(storageOrder));
        }

        Padding(padBefore, storageOrder.Length);
        Padding(padAfter, storageOrder.Length);
        ArgumentOutOfRangeException.ThrowIfNegative(lead);
        StorageOrder = storageOrder;
        PadBefore = padBefore;
        PadAfter = padAfter;
        Lead = lead;
    }

    /// <summary>Logical axes from outermost to innermost in memory.</summary>
    public int[] StorageOrder { get; init; }

    /// <summary>Entries before the view on each logical axis.</summary>
    public int[] PadBefore { get; init; }

    /// <summary>Entries after the view on each logical axis.</summary>
    public int[] PadAfter { get; init; }

    /// <summary>Unused elements before the row-major tensor starts.</summary>
    public int Lead { get; init; }

    /// <summary>Number of axes.</summary>
    public int Rank => StorageOrder.Length;

    /// <summary>Row-major and contiguous, no padding, no lead: the layout <see cref="TensorView{T}.Create"/> gives.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rank"/> is negative.</exception>
    public static StorageLayout Contiguous(int rank)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rank);
        return new(Enumerable.Range(0, rank).ToArray(), new int[rank], new int[rank], 0);
    }

    /// <summary>
    /// Elements of the buffer <see cref="Store{T}"/> allocates for a tensor with <paramref name="lengths"/>:
    /// <see cref="Lead"/> + Π(PadBefore[a] + lengths[a] + PadAfter[a]).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="lengths"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="lengths"/> does not hold <see cref="Rank"/> lengths ≥ 0.</exception>
    /// <exception cref="OverflowException">The buffer would exceed <see cref="int.MaxValue"/> elements.</exception>
    public int BufferLength(int[] lengths)
    {
        CheckLengths(lengths);
        return checked(Lead + ChannelIndex.Product(StorageLengths(lengths)));
    }

    /// <summary>
    /// The logical tensor with <paramref name="lengths"/> and row-major <paramref name="values"/>, stored in this layout:
    /// a new NaN-filled buffer of <see cref="BufferLength"/> elements, and a view into it where each value is written
    /// converted with <c>T.CreateTruncating</c>.
    /// </summary>
    /// <typeparam name="T">The element type, usually <see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="lengths"/> does not hold <see cref="Rank"/> lengths ≥ 0, or
    /// <paramref name="values"/> does not hold their product.</exception>
    public TensorView<T> Store<T>(int[] lengths, IReadOnlyList<double> values)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var buffer = new T[BufferLength(lengths)];
        ArgumentChecks.Length(values, ChannelIndex.Product(lengths), $"the product of lengths [{string.Join(", ", lengths)}]");
        Array.Fill(buffer, T.NaN);
        int rank = Rank;
        var inverse = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            inverse[StorageOrder[i]] = i;
        }

        var view = TensorView<T>.Create(buffer.AsMemory(Lead), StorageLengths(lengths)).Permute(inverse);
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

    /// <summary>Storage order, paddings and lead, for a counterexample report.</summary>
    public override string ToString() =>
        $"storage order [{string.Join(", ", StorageOrder)}], pads before [{string.Join(", ", PadBefore)}], "
        + $"after [{string.Join(", ", PadAfter)}], lead {Lead}";

    private static void Padding(int[] padding, int rank, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(padding))] string name = "")
    {
        ArgumentChecks.Length(padding, rank, "one per axis of storageOrder", name);
        if (padding.Any(pad => pad < 0))
        {
            throw new ArgumentException($"{name} must hold entries ≥ 0, got [{string.Join(", ", padding)}].", name);
        }
    }

    private int[] StorageLengths(int[] lengths) =>
        StorageOrder.Select(axis => PadBefore[axis] + lengths[axis] + PadAfter[axis]).ToArray();

    private void CheckLengths(int[] lengths)
    {
        ArgumentChecks.Lengths(lengths, minRank: 0, minLength: 0);
        if (lengths.Length != Rank)
        {
            throw new ArgumentException($"lengths must hold {Rank} axis lengths (the layout's rank), got {lengths.Length}.", nameof(lengths));
        }
    }
}
