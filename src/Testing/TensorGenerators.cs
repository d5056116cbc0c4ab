using BnNative.Tensors;
using FsCheck;
using FsCheck.Fluent;

namespace BnNative.Testing;

/// <summary>
/// FsCheck generators of tensors, shape first, then data: the rank and axis lengths, the channel axis (a data format or
/// an explicit, possibly negative, axis), the element type, a seed for the values (drawn by a <see cref="ValueDraw"/>
/// from a seeded <see cref="System.Random"/>, bounded and finite, rounded to the element type), then the layout (a
/// permutation of the storage order, padding that makes the view a slice of a larger buffer, a leading offset).
/// Drawing the values from a seed keeps large cases cheap to generate and every case replayable from FsCheck's seed.
/// </summary>
public static class TensorGenerators
{
    /// <summary>Longest axis of the small cases by default (9).</summary>
    public const int MaxLength = 9;

    /// <summary>Most elements of a small case by default (5000): an element-by-element oracle stays fast.</summary>
    public const int MaxElements = 5000;

    /// <summary>Most elements of a <see cref="LargeTensors"/> case (300 000).</summary>
    public const int MaxLargeElements = 300_000;

    /// <summary>Float and double, equally often.</summary>
    public static Gen<ElementType> BothTypes { get; } = Gen.Elements(ElementType.Single, ElementType.Double);

    /// <summary>Float only.</summary>
    public static Gen<ElementType> SingleOnly { get; } = Gen.Constant(ElementType.Single);

    /// <summary>Double only.</summary>
    public static Gen<ElementType> DoubleOnly { get; } = Gen.Constant(ElementType.Double);

    /// <summary>Both data formats, equally often, with no explicit axis.</summary>
    public static Gen<ChannelChoice> DataFormats { get; } =
        Gen.Elements(DataFormat.ChannelsLast, DataFormat.ChannelsFirst).Select(format => new ChannelChoice(format, null));

    /// <summary>
    /// Axis lengths: a rank in [<paramref name="minRank"/>, <paramref name="maxRank"/>], each length in
    /// [1, <paramref name="maxLength"/>]; while the product exceeds <paramref name="maxElements"/>, the longest axis is
    /// halved (rounding up).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="minRank"/> is below 1, <paramref name="maxRank"/>
    /// below <paramref name="minRank"/>, or <paramref name="maxLength"/> or <paramref name="maxElements"/> below 1.</exception>
    public static Gen<int[]> Shapes(int minRank, int maxRank, int maxLength, int maxElements)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minRank, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRank, minRank);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxElements, 1);
        return from rank in Gen.Choose(minRank, maxRank)
               from lengths in Gen.ArrayOf(Gen.Choose(1, maxLength), rank)
               select Cap(lengths, maxElements);
    }

    /// <summary>
    /// A channel choice for rank <paramref name="rank"/>: a data format (<see cref="DataFormats"/>, two times in three)
    /// or an explicit axis uniform in [−rank, rank−1].
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rank"/> is below 2.</exception>
    public static Gen<ChannelChoice> Channels(int rank)
    {
        ArgumentChecks.TensorRank(rank);
        return Gen.Frequency(
            (2, DataFormats),
            (1, Gen.Choose(-rank, rank - 1).Select(axis => new ChannelChoice(DataFormat.ChannelsLast, axis))));
    }

    /// <summary>
    /// A layout for rank <paramref name="rank"/>: contiguous one time in four; else the identity storage order one time
    /// in three and a random permutation (NHWC-over-NCHW and every other order) two times in three, no padding one time in
    /// three and 0–2 entries before and after each axis otherwise (strided views with gaps), and a lead of 0, 1 or 3
    /// elements.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rank"/> is below 1.</exception>
    public static Gen<StorageLayout> Layouts(int rank)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rank, 1);
        var identity = Enumerable.Range(0, rank).ToArray();
        var pads = Gen.Frequency((1, Gen.Constant(new int[rank])), (2, Gen.ArrayOf(Gen.Choose(0, 2), rank)));
        var strided =
            from order in Gen.Frequency((1, Gen.Constant(identity)), (2, Gen.Shuffle(identity)))
            from before in pads
            from after in pads
            from lead in Gen.Elements(0, 1, 3)
            select new StorageLayout(order, before, after, lead);
        return Gen.Frequency((1, Gen.Constant(StorageLayout.Contiguous(rank))), (3, strided));
    }

    /// <summary>
    /// Small tensors of rank 2–5: <see cref="Shapes"/>(2, 5, <paramref name="maxLength"/>, <paramref name="maxElements"/>),
    /// any <see cref="Channels"/>, a type from <paramref name="types"/>, values from <paramref name="draw"/>, any
    /// <see cref="Layouts"/>. When a channel would hold fewer than <paramref name="minPerChannel"/> elements, the first
    /// non-channel axis is lengthened to give it that many (the cap on elements may then be exceeded).
    /// </summary>
    /// <param name="types">The element types.</param>
    /// <param name="draw">The value distribution, e.g. <see cref="ValueDraws.Standard"/>.</param>
    /// <param name="maxLength">Longest axis, ≥ 1. Default <see cref="MaxLength"/>.</param>
    /// <param name="maxElements">Most elements, ≥ 1. Default <see cref="MaxElements"/>.</param>
    /// <param name="minPerChannel">Fewest elements per channel, ≥ 1 (2 makes every variance estimator defined). Default 1.</param>
    /// <exception cref="ArgumentNullException">A generator or draw is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A bound is below 1.</exception>
    public static Gen<TensorCase> Tensors(
        Gen<ElementType> types, ValueDraw draw, int maxLength = MaxLength, int maxElements = MaxElements, int minPerChannel = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minPerChannel, 1);
        return FromShapes(
            from lengths in Shapes(2, 5, maxLength, maxElements)
            from channel in Channels(lengths.Length)
            select (AtLeastPerChannel(lengths, channel.Resolve(lengths.Length), minPerChannel), channel),
            types,
            draw,
            Layouts);
    }

    /// <summary>
    /// Channels-first tensors (N, C, spatial…: NCL, NCHW, NCDHW) of rank 3–5, stored contiguously, with the bounds and
    /// the per-channel minimum of <see cref="Tensors"/>; permute them to test channels-last views of the same data.
    /// </summary>
    /// <exception cref="ArgumentNullException">A generator or draw is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A bound is below 1.</exception>
    public static Gen<TensorCase> ChannelsFirstTensors(
        Gen<ElementType> types, ValueDraw draw, int maxLength = MaxLength, int maxElements = MaxElements, int minPerChannel = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minPerChannel, 1);
        var channelsFirst = new ChannelChoice(DataFormat.ChannelsFirst, null);
        return FromShapes(
            from lengths in Shapes(3, 5, maxLength, maxElements)
            select (AtLeastPerChannel(lengths, 1, minPerChannel), channelsFirst),
            types,
            draw,
            rank => Gen.Constant(StorageLayout.Contiguous(rank)));
    }

    /// <summary>
    /// Tensors of about 100 000 to <see cref="MaxLargeElements"/> elements (many blocks and chunks of a fast backend),
    /// rank 2–4, 1 to 600 channels (1–8 one time in four, 9–64 two times in four, 65–600 one time in four), the other
    /// axes 4–40 long before the first is sized to reach the total, any channel axis and layout.
    /// </summary>
    /// <exception cref="ArgumentNullException">A generator or draw is null.</exception>
    public static Gen<TensorCase> LargeTensors(Gen<ElementType> types, ValueDraw draw) =>
        FromShapes(
            from rank in Gen.Choose(2, 4)
            from channel in Channels(rank)
            from channels in Gen.Frequency((1, Gen.Choose(1, 8)), (2, Gen.Choose(9, 64)), (1, Gen.Choose(65, 600)))
            from others in Gen.ArrayOf(Gen.Choose(4, 40), rank - 1)
            from total in Gen.Choose(100_000, 250_000)
            select (LargeShape(channel.Resolve(rank), channels, others, total), channel),
            types,
            draw,
            Layouts);

    /// <summary>
    /// Tensors from any shape generator, in the order shape, element type, value seed, layout: the building block of the
    /// other generators, for shapes of one's own.
    /// </summary>
    /// <param name="shapes">Axis lengths (rank ≥ 2, each ≥ 1) and a channel choice that resolves for the rank.</param>
    /// <param name="types">The element types.</param>
    /// <param name="draw">The value distribution.</param>
    /// <param name="layouts">The layouts for a rank, e.g. <see cref="Layouts"/>.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static Gen<TensorCase> FromShapes(
        Gen<(int[] Lengths, ChannelChoice Channel)> shapes, Gen<ElementType> types, ValueDraw draw, Func<int, Gen<StorageLayout>> layouts)
    {
        ArgumentNullException.ThrowIfNull(shapes);
        ArgumentNullException.ThrowIfNull(types);
        ArgumentNullException.ThrowIfNull(draw);
        ArgumentNullException.ThrowIfNull(layouts);
        return from shape in shapes
               from type in types
               from seed in Gen.Choose(0, int.MaxValue)
               from layout in layouts(shape.Lengths.Length)
               select TensorCase.Draw(shape.Lengths, shape.Channel, type, layout, draw, seed);
    }

    private static int[] Cap(int[] lengths, int maxElements)
    {
        var capped = (int[])lengths.Clone();
        while (ChannelIndex.Product(capped) > maxElements)
        {
            int largest = Array.IndexOf(capped, capped.Max());
            capped[largest] = (capped[largest] + 1) / 2;
        }

        return capped;
    }

    /// <summary>Lengths with at least <paramref name="minimum"/> elements per channel: the first non-channel axis lengthened when needed.</summary>
    private static int[] AtLeastPerChannel(int[] lengths, int channelAxis, int minimum)
    {
        int perChannel = ChannelIndex.Product(lengths) / lengths[channelAxis];
        if (perChannel >= minimum)
        {
            return lengths;
        }

        var grown = (int[])lengths.Clone();
        int axis = channelAxis == 0 ? 1 : 0;
        grown[axis] = checked((int)Math.Ceiling((double)minimum * lengths[axis] / perChannel));
        return grown;
    }

    /// <summary>Lengths with <paramref name="channels"/> at <paramref name="channelAxis"/>, the other axes from <paramref name="others"/>, the first of them sized to bring the total to at least <paramref name="total"/> (then capped).</summary>
    private static int[] LargeShape(int channelAxis, int channels, int[] others, int total)
    {
        var lengths = others.ToList();
        int perBatchEntry = channels * ChannelIndex.Product(others.Skip(1));
        lengths[0] = (total + perBatchEntry - 1) / perBatchEntry;
        lengths.Insert(channelAxis, channels);
        return Cap([.. lengths], MaxLargeElements);
    }
}
