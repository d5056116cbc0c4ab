using System.Globalization;
using System.Numerics;
using BnNative.Tensors;

namespace BnNative.Testing;

/// <summary>
/// One generated tensor: the logical tensor (axis lengths and row-major values, each exactly representable in the
/// element type), how its channel axis is named, the element type and the layout it is stored in. The constructor
/// validates; a <c>with</c> expression does not (a part of a batch, a poisoned copy). Equality is record equality: the
/// arrays compare by reference.
/// </summary>
public sealed record TensorCase
{
    /// <summary>Creates a case; the arrays are used as given (not copied).</summary>
    /// <param name="lengths">Axis lengths, logical order: rank ≥ 2, each ≥ 1.</param>
    /// <param name="channel">How the channel axis is named; it must resolve for the rank.</param>
    /// <param name="type">The element type the tensor is stored in.</param>
    /// <param name="values">The elements in logical row-major order, Π lengths of them.</param>
    /// <param name="layout">How the elements are laid out in memory; its rank is the tensor's.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="lengths"/> has rank below 2 or a length below 1,
    /// <paramref name="values"/> does not hold Π lengths values, or <paramref name="layout"/> has another rank.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="type"/> is not a defined value, or the explicit
    /// axis of <paramref name="channel"/> is outside [−rank, rank−1].</exception>
    public TensorCase(int[] lengths, ChannelChoice channel, ElementType type, double[] values, StorageLayout layout)
    {
        ArgumentChecks.Lengths(lengths, minRank: 2);
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentChecks.Defined(type);
        ArgumentChecks.Length(values, ChannelIndex.Product(lengths), $"the product of lengths [{string.Join(", ", lengths)}]");
        ArgumentNullException.ThrowIfNull(layout);
        if (layout.Rank != lengths.Length)
        {
            throw new ArgumentException($"layout must have rank {lengths.Length} (the rank of lengths), got {layout.Rank}.", nameof(layout));
        }

        _ = channel.Resolve(lengths.Length);
        Lengths = lengths;
        Channel = channel;
        Type = type;
        Values = values;
        Layout = layout;
    }

    /// <summary>Axis lengths, logical order.</summary>
    public int[] Lengths { get; init; }

    /// <summary>How the channel axis is named.</summary>
    public ChannelChoice Channel { get; init; }

    /// <summary>The element type the tensor is stored in.</summary>
    public ElementType Type { get; init; }

    /// <summary>The elements in logical row-major order.</summary>
    public double[] Values { get; init; }

    /// <summary>How the elements are laid out in memory.</summary>
    public StorageLayout Layout { get; init; }

    /// <summary>Rank of the tensor.</summary>
    public int Rank => Lengths.Length;

    /// <summary>The channel axis in [0, rank).</summary>
    public int ChannelAxis => Channel.Resolve(Rank);

    /// <summary>Number of channels, the length of the channel axis.</summary>
    public int Channels => Lengths[ChannelAxis];

    /// <summary>Elements per channel, n.</summary>
    public long CountPerChannel => Values.LongLength / Channels;

    /// <summary>The channel axis as handed to the library (possibly negative): <see cref="ChannelChoice.Argument"/>.</summary>
    public int AxisArgument => Channel.Argument(Rank);

    /// <summary>The channel of each row-major position.</summary>
    public ChannelIndex Index => ChannelIndex.Of(Lengths, ChannelAxis);

    /// <summary>
    /// A case drawn from a seed: the values are <paramref name="draw"/>(new Random(<paramref name="seed"/>), lengths,
    /// channel axis), rounded to <paramref name="type"/>.
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">As the constructor; or <paramref name="draw"/> does not return Π lengths values.</exception>
    /// <exception cref="ArgumentOutOfRangeException">As the constructor.</exception>
    public static TensorCase Draw(int[] lengths, ChannelChoice channel, ElementType type, StorageLayout layout, ValueDraw draw, int seed)
    {
        ArgumentChecks.Lengths(lengths, minRank: 2);
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(draw);
        var values = draw(new Random(seed), lengths, channel.Resolve(lengths.Length));
        int count = ChannelIndex.Product(lengths);
        if (values is null || values.Length != count)
        {
            throw new ArgumentException(
                $"draw must return {count} values (the product of lengths [{string.Join(", ", lengths)}]), got {values?.Length.ToString(CultureInfo.InvariantCulture) ?? "null"}.",
                nameof(draw));
        }

        return new TensorCase(lengths, channel, type, type.Round(values), layout);
    }

    /// <summary>
    /// The logical tensor of a view the caller already has, for the oracle: its lengths, its elements in row-major order
    /// as doubles, the element type of <typeparamref name="T"/>, and a contiguous layout (the view's own strides are not
    /// kept; <see cref="Store{T}"/> gives a new contiguous copy).
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="view"/> has rank below 2 or no elements.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The explicit axis of <paramref name="channel"/> is outside [−rank, rank−1].</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is neither float nor double.</exception>
    public static TensorCase FromView<T>(TensorView<T> view, ChannelChoice channel)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(view);
        if (view.Rank < 2 || view.ElementCount == 0)
        {
            throw new ArgumentException(
                $"view must have rank ≥ 2 and at least one element, got {view.Shape}.", nameof(view));
        }

        var type = ElementTypes.Of<T>();
        var values = view.ToArray().Select(double.CreateTruncating).ToArray();
        return new TensorCase(view.Lengths.ToArray(), channel, type, values, StorageLayout.Contiguous(view.Rank));
    }

    /// <summary>The tensor stored in <see cref="Layout"/> (<see cref="StorageLayout.Store{T}"/>): a new buffer on every call.</summary>
    /// <typeparam name="T">The element type; the values are exact in it when it is <see cref="Type"/>'s.</typeparam>
    public TensorView<T> Store<T>()
        where T : unmanaged, IFloatingPointIeee754<T> => Layout.Store<T>(Lengths, Values);

    /// <summary>The same tensor (shape, channel, type, layout) with new values drawn by <paramref name="draw"/> from <paramref name="seed"/>, as <see cref="Draw"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="draw"/> is null.</exception>
    public TensorCase Redraw(ValueDraw draw, int seed) => Draw(Lengths, Channel, Type, Layout, draw, seed);

    /// <summary>The per-channel statistics of <see cref="Values"/> from MathNet.Numerics (<see cref="ChannelStatistics.Of"/>).</summary>
    public ChannelStatistics Statistics() => ChannelStatistics.Of(Lengths, ChannelAxis, Values);

    /// <summary>Shape, axis, type and layout; the values are summarized (FsCheck prints this for a counterexample).</summary>
    public override string ToString() =>
        $"{Type} [{string.Join(", ", Lengths)}] {Channel} (axis {ChannelAxis}), {Layout}, "
        + $"values [{string.Join(", ", Values.Take(6))}{(Values.Length > 6 ? ", …" : string.Empty)}] ({Values.Length})";
}
