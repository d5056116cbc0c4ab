using BnNative.Tensors;
using FsCheck;
using FsCheck.Fluent;

namespace BnNative.Tests.Properties;

/// <summary>
/// The generators every property draws from: shape first (rank, lengths, channel axis), then data (bounded finite
/// values from a seeded <see cref="Random"/>, rounded to the element type), then the layout (a permutation of the
/// storage order, padding that makes the view a slice of a larger buffer, a leading offset).
/// The public static methods returning <see cref="Arbitrary{T}"/> are what <see cref="MomentsPropertyAttribute"/> registers.
/// </summary>
public static class Generators
{
    /// <summary>Longest axis of the small cases.</summary>
    public const int MaxLength = 9;

    /// <summary>Most elements of a small case (the Reference backend and the oracle visit each one).</summary>
    public const int MaxElements = 5000;

    /// <summary>Most elements of a large case.</summary>
    public const int MaxLargeElements = 300_000;

    /// <summary>Draws the row-major values of a tensor with the given lengths and channel axis.</summary>
    public delegate double[] Draw(Random random, int[] lengths, int channelAxis);

    /// <summary>Both element types.</summary>
    public static Gen<ElementType> ElementTypes { get; } = Gen.Elements(ElementType.Single, ElementType.Double);

    /// <summary>Small cases of rank 2–5, float or double, any layout, values uniform around per-channel offsets.</summary>
    public static Arbitrary<MomentsCase> Moments() => Arb.From(SmallCases(ElementTypes, UniformAroundChannelOffsets));

    /// <summary>Small cases cut along a reduction axis into two to four consecutive parts, some possibly empty.</summary>
    public static Arbitrary<BatchSplit> Splits() => Arb.From(
        from tensor in SmallCases(ElementTypes, UniformAroundChannelOffsets)
        let axis = tensor.ChannelAxis == 0 ? 1 : 0
        from cuts in CutPoints(tensor.Lengths[axis])
        select new BatchSplit(tensor, axis, cuts));

    /// <summary>Small cases of rank 2–5, lengths 1–9, any channel axis and layout, with values from <paramref name="draw"/>.</summary>
    public static Gen<MomentsCase> SmallCases(Gen<ElementType> types, Draw draw) =>
        Cases(
            from lengths in Shapes(2, 5, MaxLength, MaxElements)
            from channel in Channels(lengths.Length)
            select (lengths, channel),
            types,
            draw,
            Layouts);

    /// <summary>
    /// Cases of about 100 000 to 300 000 elements (several of the fast backends' 2¹⁶-element chunks), rank 2–4, 1 to 600
    /// channels, any channel axis and layout, float or double.
    /// </summary>
    public static Gen<MomentsCase> LargeCases() =>
        Cases(
            from rank in Gen.Choose(2, 4)
            from channel in Channels(rank)
            from channels in Gen.Frequency((1, Gen.Choose(1, 8)), (2, Gen.Choose(9, 64)), (1, Gen.Choose(65, 600)))
            from others in Gen.ArrayOf(Gen.Choose(4, 40), rank - 1)
            from total in Gen.Choose(100_000, 250_000)
            select (LargeShape(channel.Resolve(rank), channels, others, total), channel),
            ElementTypes,
            UniformAroundChannelOffsets,
            Layouts);

    /// <summary>Channels-first tensors (N, C, spatial…) of rank 3–5, lengths 1–9, stored contiguously.</summary>
    public static Gen<MomentsCase> ChannelsFirstCases() =>
        Cases(
            from lengths in Shapes(3, 5, MaxLength, MaxElements)
            select (lengths, new ChannelChoice(DataFormat.ChannelsFirst, null)),
            ElementTypes,
            UniformAroundChannelOffsets,
            rank => Gen.Constant(Layout.Contiguous(rank)));

    /// <summary>
    /// Uniform in [−100, 100] plus a per-channel offset uniform in [−1000, 1000]: bounded, finite, and with means
    /// large enough next to the spread that a cancelling formula would show.
    /// </summary>
    public static double[] UniformAroundChannelOffsets(Random random, int[] lengths, int channelAxis)
    {
        var offsets = Enumerable.Range(0, lengths[channelAxis]).Select(_ => Uniform(random, -1000, 1000)).ToArray();
        return Fill(lengths, channelAxis, c => offsets[c] + Uniform(random, -100, 100));
    }

    /// <summary>
    /// Mean 1e4, standard deviation 1: either 1e4 + N(0, 1) or SPEC §3's two-point data 1e4 ± 1, whose one-pass
    /// float32 variance E[x²] − E[x]² is 0.
    /// </summary>
    public static double[] NearTenThousand(Random random, int[] lengths, int channelAxis)
    {
        bool twoPoint = random.Next(2) == 0;
        return Fill(lengths, channelAxis, _ => 1e4 + (twoPoint ? (random.Next(2) * 2) - 1 : Normal(random)));
    }

    /// <summary>Shapes of rank <paramref name="minRank"/>–<paramref name="maxRank"/>, lengths 1–<paramref name="maxLength"/>, at most <paramref name="maxElements"/> elements.</summary>
    public static Gen<int[]> Shapes(int minRank, int maxRank, int maxLength, int maxElements) =>
        from rank in Gen.Choose(minRank, maxRank)
        from lengths in Gen.ArrayOf(Gen.Choose(1, maxLength), rank)
        select Cap(lengths, maxElements);

    /// <summary>A channel choice for rank <paramref name="rank"/>: a data format (twice as often) or an explicit axis in [−rank, rank−1].</summary>
    public static Gen<ChannelChoice> Channels(int rank) => Gen.Frequency(
        (2, Gen.Elements(DataFormat.ChannelsLast, DataFormat.ChannelsFirst).Select(format => new ChannelChoice(format, null))),
        (1, Gen.Choose(-rank, rank - 1).Select(axis => new ChannelChoice(DataFormat.ChannelsLast, axis))));

    /// <summary>A layout for rank <paramref name="rank"/>: contiguous one time in four, else any storage order, padding and lead.</summary>
    public static Gen<Layout> Layouts(int rank)
    {
        var identity = Enumerable.Range(0, rank).ToArray();
        var pads = Gen.Frequency((1, Gen.Constant(new int[rank])), (2, Gen.ArrayOf(Gen.Choose(0, 2), rank)));
        var strided =
            from order in Gen.Frequency((1, Gen.Constant(identity)), (2, Gen.Shuffle(identity)))
            from before in pads
            from after in pads
            from lead in Gen.Elements(0, 1, 3)
            select new Layout(order, before, after, lead);
        return Gen.Frequency((1, Gen.Constant(Layout.Contiguous(rank))), (3, strided));
    }

    private static Gen<MomentsCase> Cases(
        Gen<(int[] Lengths, ChannelChoice Channel)> shapes, Gen<ElementType> types, Draw draw, Func<int, Gen<Layout>> layouts) =>
        from shape in shapes
        from type in types
        from seed in Gen.Choose(0, int.MaxValue)
        from layout in layouts(shape.Lengths.Length)
        select Build(shape.Lengths, shape.Channel, type, seed, draw, layout);

    private static MomentsCase Build(int[] lengths, ChannelChoice channel, ElementType type, int seed, Draw draw, Layout layout)
    {
        var values = draw(new Random(seed), lengths, channel.Resolve(lengths.Length));
        if (type == ElementType.Single)
        {
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = (float)values[i];
            }
        }

        return new MomentsCase(lengths, channel, type, values, layout);
    }

    private static Gen<int[]> CutPoints(int length) =>
        from count in Gen.Choose(1, 3)
        from cuts in Gen.ArrayOf(Gen.Choose(0, length), count)
        select cuts.Order().ToArray();

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

    /// <summary>Lengths with <paramref name="channels"/> at <paramref name="channelAxis"/>, the other axes from <paramref name="others"/>, the first of them sized to bring the total to at least <paramref name="total"/> (then capped).</summary>
    private static int[] LargeShape(int channelAxis, int channels, int[] others, int total)
    {
        var lengths = others.ToList();
        int perBatchEntry = channels * ChannelIndex.Product(others.Skip(1));
        lengths[0] = (total + perBatchEntry - 1) / perBatchEntry;
        lengths.Insert(channelAxis, channels);
        return Cap([.. lengths], MaxLargeElements);
    }

    private static double[] Fill(int[] lengths, int channelAxis, Func<int, double> valueOfChannel)
    {
        var channel = ChannelIndex.Of(lengths, channelAxis);
        var values = new double[ChannelIndex.Product(lengths)];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = valueOfChannel(channel.At(i));
        }

        return values;
    }

    private static double Uniform(Random random, double low, double high) => low + ((high - low) * random.NextDouble());

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
