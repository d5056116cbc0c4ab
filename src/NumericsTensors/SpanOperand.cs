using System.Numerics;
using BnNative.Tensors;

namespace BnNative.NumericsTensors;

/// <summary>
/// One tensor-span argument of a call, mapped to a BnNative view without copying: its lengths and strides become a
/// <see cref="TensorShape"/> at offset 0 (the span's first element) over a <see cref="PinnedSpanMemory{T}"/> that covers
/// the elements from the first to the last the span addresses (<see cref="Range"/>). Everything is checked here, once,
/// before anything is pinned: a rank ≥ 1, lengths that fit an int, strides ≥ 0, a range that fits a
/// <see cref="Memory{T}"/>, and for outputs no element addressed twice (stride 0 on an axis longer than 1).
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
internal sealed unsafe class SpanOperand<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private SpanOperand(string name, TensorShape shape, int range)
    {
        Name = name;
        Range = range;
        Memory = new PinnedSpanMemory<T>(range);
        View = new TensorView<T>(Memory.Whole, shape);
    }

    /// <summary>The parameter the span came in as (every message names it).</summary>
    public string Name { get; }

    /// <summary>Elements from the first addressed to the last addressed, both included; 0 when the span is empty.</summary>
    public int Range { get; }

    /// <summary>The memory the view reads, attached to the pinned span for the length of a call.</summary>
    public PinnedSpanMemory<T> Memory { get; }

    /// <summary>The view of the span (usable only while <see cref="Memory"/> is attached).</summary>
    public TensorView<T> View { get; }

    /// <summary>Maps the geometry of the span passed as <paramref name="name"/>.</summary>
    /// <param name="lengths">The span's lengths.</param>
    /// <param name="strides">The span's strides, in elements.</param>
    /// <param name="name">The parameter name, for messages.</param>
    /// <param name="output">True when the call writes the span: then no element may be addressed twice.</param>
    /// <exception cref="ArgumentException">Rank 0, a length above <see cref="int.MaxValue"/>, a negative stride, a range
    /// above <see cref="int.MaxValue"/> elements, or (<paramref name="output"/>) a stride of 0 on an axis longer than 1.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is neither float nor double.</exception>
    public static SpanOperand<T> Of(ReadOnlySpan<nint> lengths, ReadOnlySpan<nint> strides, string name, bool output)
    {
        if (lengths.IsEmpty)
        {
            throw new ArgumentException(
                $"{name} has rank 0 (a default tensor span), which addresses no elements; a BnNative view needs at least one axis.", name);
        }

        var intLengths = new int[lengths.Length];
        var longStrides = new long[lengths.Length];
        bool empty = false;
        for (int axis = 0; axis < lengths.Length; axis++)
        {
            if (lengths[axis] is < 0 or > int.MaxValue)
            {
                throw new ArgumentException(
                    $"{name} has length {lengths[axis]} on axis {axis}; a BnNative view takes lengths in [0, {int.MaxValue}].", name);
            }

            if (strides[axis] < 0)
            {
                throw new ArgumentException(
                    $"{name} has stride {strides[axis]} on axis {axis}; negative strides are not supported (a BnNative view walks every axis forward).",
                    name);
            }

            if (output && strides[axis] == 0 && lengths[axis] > 1)
            {
                throw new ArgumentException(
                    $"{name} has stride 0 on axis {axis} of length {lengths[axis]}: it would write {lengths[axis]} results into one element. "
                    + "An output must address each of its elements once.",
                    name);
            }

            intLengths[axis] = (int)lengths[axis];
            longStrides[axis] = strides[axis];
            empty |= lengths[axis] == 0;
        }

        int range = empty ? 0 : RangeOf(intLengths, longStrides, name);
        CheckCount(intLengths, name);
        return new SpanOperand<T>(name, new TensorShape(intLengths, longStrides), range);
    }

    /// <summary>
    /// Throws when this output, starting at <paramref name="start"/>, shares memory with the input
    /// <paramref name="input"/> starting at <paramref name="inputStart"/>. Conservative: the address ranges from first to
    /// last element must be disjoint, even where two interleaved spans would never touch the same element.
    /// </summary>
    /// <exception cref="ArgumentException">The ranges overlap (the message names both parameters).</exception>
    public void CheckApart(T* start, SpanOperand<T> input, T* inputStart)
    {
        if (Range == 0 || input.Range == 0 || start + Range <= inputStart || inputStart + input.Range <= start)
        {
            return;
        }

        throw new ArgumentException(
            $"{Name} shares memory with {input.Name}: {Name} covers elements [0, {Range}) and {input.Name} elements "
            + $"[{inputStart - start}, {inputStart - start + input.Range}) of the same buffer, counted from {Name}'s first element. "
            + $"Write {Name} to memory that {input.Name} does not use.",
            Name);
    }

    /// <summary>
    /// As <see cref="CheckApart"/>, except that the output may be exactly <paramref name="input"/> (same first element,
    /// lengths and strides): the backward passes allow dx to be written over dy.
    /// </summary>
    /// <exception cref="ArgumentException">The ranges overlap and the two are not the same elements.</exception>
    public void CheckApartOrSame(T* start, SpanOperand<T> input, T* inputStart)
    {
        if (start != inputStart || !View.Shape.Equals(input.View.Shape))
        {
            CheckApart(start, input, inputStart);
        }
    }

    /// <summary>
    /// Throws unless <paramref name="other"/> has exactly this operand's lengths and strides: a training step's views
    /// keep its input's geometry, and its backward pass reads the input again through them.
    /// </summary>
    /// <exception cref="ArgumentException">The geometry differs (names <paramref name="other"/>).</exception>
    public void CheckSameGeometry(SpanOperand<T> other)
    {
        if (!View.Shape.Equals(other.View.Shape))
        {
            throw new ArgumentException(
                $"{other.Name} is {other.View.Shape} but the training step normalized {View.Shape} (lengths, strides, offset from the first element); "
                + "pass the tensor the step normalized, unchanged and with the same layout.",
                other.Name);
        }
    }

    /// <summary>The element count (product of the lengths) must fit a long, as <see cref="TensorShape.ElementCount"/> does.</summary>
    private static void CheckCount(ReadOnlySpan<int> lengths, string name)
    {
        Int128 count = 1;
        foreach (int length in lengths)
        {
            count *= length;
            if (count > long.MaxValue)
            {
                throw new ArgumentException(
                    $"{name} addresses more than {long.MaxValue} elements (lengths [{string.Join(", ", lengths.ToArray())}]); a BnNative view counts them in a long.",
                    name);
            }
        }
    }

    /// <summary>Σ (length − 1)·stride + 1 over the axes of a non-empty span, checked against <see cref="int.MaxValue"/>.</summary>
    private static int RangeOf(ReadOnlySpan<int> lengths, ReadOnlySpan<long> strides, string name)
    {
        Int128 last = 0;
        for (int axis = 0; axis < lengths.Length; axis++)
        {
            last += (Int128)(lengths[axis] - 1L) * strides[axis];
        }

        if (last >= int.MaxValue)
        {
            throw new ArgumentException(
                $"{name} reaches {last + 1} elements from its first to its last; a BnNative view reads them through a Memory<T>, "
                + $"which holds at most {int.MaxValue}.",
                name);
        }

        return (int)last + 1;
    }
}
