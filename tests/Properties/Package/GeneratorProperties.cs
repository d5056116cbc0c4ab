using System.Runtime.InteropServices;
using BnNative.Normalization;
using BnNative.Tensors;
using FsCheck;
using FsCheck.Fluent;

namespace BnNative.Tests.Properties.Package;

/// <summary>
/// The package's generators produce what their documentation promises: shapes within their bounds, channel choices
/// that resolve, layouts whose views address distinct elements of their buffer (and nothing else), values within the
/// chosen offsets and scales, exactly representable in the element type, and configs the library accepts.
/// </summary>
public sealed class GeneratorProperties
{
    private const int MaxTest = 100;

    /// <summary>Shapes: rank in [minRank, maxRank], lengths in [1, maxLength], at most maxElements elements, for random bounds.</summary>
    [Fact]
    public void ShapesStayWithinTheirBounds() =>
        PropertyCheck.ForAll(
            from minRank in Gen.Choose(1, 5)
            from maxRank in Gen.Choose(minRank, 6)
            from maxLength in Gen.Choose(1, 12)
            from maxElements in Gen.Choose(1, 3000)
            from lengths in TensorGenerators.Shapes(minRank, maxRank, maxLength, maxElements)
            select (minRank, maxRank, maxLength, maxElements, lengths),
            c =>
            {
                Assert.InRange(c.lengths.Length, c.minRank, c.maxRank);
                Assert.All(c.lengths, length => Assert.InRange(length, 1, c.maxLength));
                Assert.InRange(ChannelIndex.Product(c.lengths), 1, c.maxElements);
            },
            MaxTest);

    /// <summary>Channel choices resolve for their rank; an explicit axis lies in [−rank, rank−1] and is handed on unchanged.</summary>
    [Fact]
    public void ChannelChoicesResolveForTheirRank() =>
        PropertyCheck.ForAll(
            from rank in Gen.Choose(2, 6)
            from channel in TensorGenerators.Channels(rank)
            select (rank, channel),
            c =>
            {
                int axis = c.channel.Resolve(c.rank);
                Assert.InRange(axis, 0, c.rank - 1);
                Assert.Equal(ChannelAxis.Resolve(c.rank, c.channel.Format, c.channel.ExplicitAxis), axis);
                if (c.channel.ExplicitAxis is int explicitAxis)
                {
                    Assert.InRange(explicitAxis, -c.rank, c.rank - 1);
                    Assert.Equal(explicitAxis, c.channel.Argument(c.rank));
                }
                else
                {
                    Assert.Equal(axis, c.channel.Argument(c.rank));
                }
            },
            MaxTest);

    /// <summary>
    /// Layouts: the storage order is a permutation, pads are 0–2, the lead 0, 1 or 3; the stored view has the logical
    /// lengths, holds each value at its logical index, and addresses distinct elements of a buffer of
    /// <see cref="StorageLayout.BufferLength"/> elements past the lead; every other element of the buffer is NaN.
    /// </summary>
    [Fact]
    public void LayoutsStoreEachValueAtItsOwnAddress() =>
        PropertyCheck.ForAll(
            from lengths in TensorGenerators.Shapes(1, 5, 6, 2000)
            from layout in TensorGenerators.Layouts(lengths.Length)
            from seed in Gen.Choose(0, int.MaxValue)
            select (lengths, layout, seed),
            c =>
            {
                var layout = c.layout;
                Assert.Equal(Enumerable.Range(0, layout.Rank), layout.StorageOrder.Order());
                Assert.All(layout.PadBefore.Concat(layout.PadAfter), pad => Assert.InRange(pad, 0, 2));
                Assert.Contains(layout.Lead, new[] { 0, 1, 3 });

                var random = new Random(c.seed);
                var values = Enumerable.Range(0, ChannelIndex.Product(c.lengths)).Select(_ => ValueDraws.Uniform(random, -5, 5)).ToArray();
                var view = layout.Store<double>(c.lengths, values);
                Assert.Equal(c.lengths, view.Lengths.ToArray());
                Assert.Equal(values, view.ToArray());
                Assert.True(MemoryMarshal.TryGetArray<double>(view.Memory, out var segment));
                var buffer = segment.Array!;
                Assert.Equal(layout.BufferLength(c.lengths), buffer.Length);

                var addresses = new HashSet<long>();
                var index = new int[c.lengths.Length];
                for (int i = 0; i < values.Length; i++)
                {
                    long address = segment.Offset + view.Shape.IndexOf(index);
                    Assert.InRange(address, layout.Lead, buffer.Length - 1);
                    Assert.True(addresses.Add(address), $"element {i} shares address {address} with another element");
                    Assert.Equal(values[i], buffer[address]);
                    for (int axis = index.Length - 1; axis >= 0 && ++index[axis] == c.lengths[axis]; axis--)
                    {
                        index[axis] = 0;
                    }
                }

                Assert.All(Enumerable.Range(0, buffer.Length).Where(a => !addresses.Contains(a)), a => Assert.True(double.IsNaN(buffer[a])));
            },
            MaxTest);

    /// <summary>
    /// Small tensors: rank 2–5, lengths within maxLength, at most maxElements elements unless raised to give each
    /// channel minPerChannel, finite values exactly representable in the element type.
    /// </summary>
    [Fact]
    public void TensorsStayWithinTheirBoundsAndType() =>
        PropertyCheck.ForAll(
            from maxLength in Gen.Choose(1, 9)
            from maxElements in Gen.Choose(1, 2000)
            from minPerChannel in Gen.Choose(1, 3)
            from tensor in TensorGenerators.Tensors(TensorGenerators.BothTypes, ValueDraws.Standard, maxLength, maxElements, minPerChannel)
            select (maxLength, maxElements, minPerChannel, tensor),
            c =>
            {
                var x = c.tensor;
                Assert.InRange(x.Rank, 2, 5);
                Assert.True(x.CountPerChannel >= c.minPerChannel, $"{x.CountPerChannel} elements per channel, at least {c.minPerChannel} promised");
                int grown = x.ChannelAxis == 0 ? 1 : 0;
                long rest = x.CountPerChannel / x.Lengths[grown];
                bool withinBounds = x.Lengths.All(length => length <= c.maxLength) && x.Values.Length <= c.maxElements;
                Assert.True(
                    withinBounds || x.CountPerChannel < c.minPerChannel + rest,
                    $"[{string.Join(", ", x.Lengths)}] exceeds its bounds by more than lengthening axis {grown} to give {c.minPerChannel} per channel needs");
                Assert.All(x.Lengths.Where((_, axis) => axis != grown), length => Assert.InRange(length, 1, c.maxLength));

                Assert.Equal(x.Layout.Rank, x.Rank);
                Assert.All(x.Values, v => Assert.Equal(x.Type.Round(v), v));
                Assert.All(x.Values, v => Assert.True(double.IsFinite(v)));
            },
            MaxTest);

    /// <summary>
    /// <see cref="ValueDraws.UniformAroundChannelOffsets"/>: every value lies within maxOffset + halfWidth of 0, and each
    /// channel within 2·halfWidth of itself (to the rounding to the element type).
    /// </summary>
    [Fact]
    public void UniformDrawsStayAroundTheirChannelOffsets() =>
        PropertyCheck.ForAll(
            from maxOffset in Gen.Elements(0.0, 1.0, 1e3, 1e6)
            from halfWidth in Gen.Elements(0.0, 0.5, 100.0, 1e4)
            from x in TensorGenerators.Tensors(TensorGenerators.BothTypes, ValueDraws.UniformAroundChannelOffsets(maxOffset, halfWidth))
            select (maxOffset, halfWidth, x),
            c =>
            {
                double rounding = 2 * c.x.Type.UnitRoundoff() * (c.maxOffset + c.halfWidth);
                Assert.All(c.x.Values, v => Assert.InRange(Math.Abs(v), 0, c.maxOffset + c.halfWidth + rounding));
                var statistics = c.x.Statistics();
                Assert.All(statistics.MaxDeviation, deviation => Assert.InRange(deviation, 0, (2 * c.halfWidth) + (2 * rounding)));
            },
            MaxTest);

    /// <summary>
    /// <see cref="ValueDraws.NormalOrTwoPoint"/>: every value is finite and within 9 standard deviations of the mean
    /// (Box–Muller never exceeds sqrt(2·53·ln 2) ≈ 8.6), and two-point tensors hold only mean ± sd.
    /// </summary>
    [Fact]
    public void NormalOrTwoPointDrawsStayNearTheirMean() =>
        PropertyCheck.ForAll(
            from mean in Gen.Elements(-1e4, 0.0, 3.5, 1e4)
            from sd in Gen.Elements(0.0, 1e-3, 1.0, 250.0)
            from x in TensorGenerators.Tensors(TensorGenerators.DoubleOnly, ValueDraws.NormalOrTwoPoint(mean, sd))
            select (mean, sd, x),
            c =>
            {
                Assert.All(c.x.Values, v => Assert.InRange(v, c.mean - (9 * c.sd) - 1e-9, c.mean + (9 * c.sd) + 1e-9));
                bool twoPoint = c.x.Values.All(v => v == c.mean - c.sd || v == c.mean + c.sd);
                bool normal = c.x.Values.Any(v => v != c.mean - c.sd && v != c.mean + c.sd);
                Assert.True(twoPoint || normal);
            },
            MaxTest);

    /// <summary>Channels-first tensors: rank 3–5, channels_first with no explicit axis (axis 1), contiguous.</summary>
    [Fact]
    public void ChannelsFirstTensorsAreContiguousNchw() =>
        PropertyCheck.ForAll(
            TensorGenerators.ChannelsFirstTensors(TensorGenerators.BothTypes, ValueDraws.Standard),
            x =>
            {
                Assert.InRange(x.Rank, 3, 5);
                Assert.Equal(new ChannelChoice(DataFormat.ChannelsFirst, null), x.Channel);
                Assert.Equal(1, x.ChannelAxis);
                Assert.Equal(StorageLayout.Contiguous(x.Rank).ToString(), x.Layout.ToString());
                Assert.True(x.Store<float>().Shape.IsRowMajorContiguous);
            },
            MaxTest);

    /// <summary>Large tensors: rank 2–4, 1 to 600 channels, at most <see cref="TensorGenerators.MaxLargeElements"/> elements.</summary>
    [Fact]
    public void LargeTensorsStayWithinTheirBounds() =>
        PropertyCheck.ForAll(
            TensorGenerators.LargeTensors(TensorGenerators.BothTypes, ValueDraws.Standard),
            x =>
            {
                Assert.InRange(x.Rank, 2, 4);
                Assert.InRange(x.Channels, 1, 600);
                Assert.InRange(x.Values.Length, 1, TensorGenerators.MaxLargeElements);
            },
            maxTest: 10);

    /// <summary>
    /// Steps (through the package's arbitrary): at least two elements per channel, axes ≤ 8, one state value per channel
    /// in its documented range and exact in the element type, epsilon and momentum among the documented values; the
    /// state and the config build.
    /// </summary>
    [MomentsProperty]
    public void NormalizationCasesHoldTheirDocumentedRanges(NormalizationCase step)
    {
        var x = step.Tensor;
        Assert.True(x.CountPerChannel >= 2);
        Assert.All(x.Lengths, length => Assert.InRange(length, 1, NormalizationGenerators.MaxLength));
        double slack = x.Type.UnitRoundoff();
        AssertPerChannel(step.Gamma, -2, 2);
        AssertPerChannel(step.Beta, -3, 3);
        AssertPerChannel(step.MovingMean, -1000, 1000);
        AssertPerChannel(step.MovingVariance, 0.01, 2000);
        Assert.Contains(step.Epsilon, new[] { 0, 1e-5, 1e-3, 0.5 });
        Assert.InRange(step.Momentum, 0, 1);
        Assert.Equal(step.Momentum, Math.Round(step.Momentum * 1000) / 1000);
        Assert.Equal(step.Channels, step.State<float>().Channels);
        var config = step.Config(Moments.MomentsBackend.Auto);
        Assert.Equal(x.ChannelAxis, ChannelAxis.Resolve(x.Rank, config.DataFormat, config.Axis));

        void AssertPerChannel(double[] values, double low, double high)
        {
            Assert.Equal(step.Channels, values.Length);
            Assert.All(values, v => Assert.InRange(v, low - (slack * Math.Abs(low)), high + (slack * Math.Abs(high))));
            Assert.All(values, v => Assert.Equal(x.Type.Round(v), v));
        }
    }

    /// <summary>
    /// Configs: valid for their rank (a training and an inference step on a tensor of that rank run and give finite
    /// output), momentum in [0, 1] and at most 0.999 under zero-debiasing.
    /// </summary>
    [Fact]
    public void ConfigsAreValidForTheirRank() =>
        PropertyCheck.ForAll(
            from rank in Gen.Choose(2, 5)
            from config in NormalizationGenerators.Configs(rank)
            from seed in Gen.Choose(0, int.MaxValue)
            select (rank, config, seed),
            c =>
            {
                var config = c.config;
                Assert.InRange(config.Momentum, 0, config.EmaAverage == EmaAverage.ZeroDebiased ? 0.999 : 1);
                int axis = ChannelAxis.Resolve(c.rank, config.DataFormat, config.Axis);
                var lengths = Enumerable.Range(0, c.rank).Select(a => a == axis ? 3 : 2).ToArray();
                var x = TensorCase.Draw(lengths, new ChannelChoice(config.DataFormat, config.Axis), ElementType.Double, StorageLayout.Contiguous(c.rank), ValueDraws.Standard, c.seed);
                var state = BatchNormState<double>.Init(3, config);
                var trained = BatchNorm.Train(x.Store<double>(), state, config);
                Assert.All(trained.Output.ToArray(), y => Assert.True(double.IsFinite(y)));
                Assert.All(BatchNorm.Infer(x.Store<double>(), trained.CommittedState, config).View.ToArray(), y => Assert.True(double.IsFinite(y)));
            },
            MaxTest);
}
