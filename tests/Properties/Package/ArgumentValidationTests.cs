using BnNative.Moments;
using BnNative.Tensors;

namespace BnNative.Tests.Properties.Package;

/// <summary>Every public entry of the package rejects a bad argument with an exception that names it and says what was expected.</summary>
public sealed class ArgumentValidationTests
{
    private static readonly ChannelChoice ChannelsLast = new(DataFormat.ChannelsLast, null);

    private static readonly TensorCase Tensor = new([2, 3], ChannelsLast, ElementType.Double, [1, 2, 3, 4, 5, 6], StorageLayout.Contiguous(2));

    private static readonly NormalizationCase Step =
        new(Tensor, [1, 1, 1], [0, 0, 0], [0, 0, 0], [1, 1, 1], 1e-5, 0.9, center: true, scale: true, estimator: null);

    public static TheoryData<string, Action> OutOfRange => new()
    {
        { "minRank", () => TensorGenerators.Shapes(0, 3, 4, 10) },
        { "maxRank", () => TensorGenerators.Shapes(3, 2, 4, 10) },
        { "maxLength", () => TensorGenerators.Shapes(1, 2, 0, 10) },
        { "maxElements", () => TensorGenerators.Shapes(1, 2, 4, 0) },
        { "rank", () => TensorGenerators.Channels(1) },
        { "rank", () => TensorGenerators.Layouts(0) },
        { "minPerChannel", () => TensorGenerators.Tensors(TensorGenerators.BothTypes, ValueDraws.Standard, minPerChannel: 0) },
        { "minPerChannel", () => TensorGenerators.ChannelsFirstTensors(TensorGenerators.BothTypes, ValueDraws.Standard, minPerChannel: 0) },
        { "maxElements", () => NormalizationGenerators.Inputs(TensorGenerators.BothTypes, maxElements: 0) },
        { "rank", () => NormalizationGenerators.Configs(1) },
        { "maxOffset", () => ValueDraws.UniformAroundChannelOffsets(-1, 1) },
        { "halfWidth", () => ValueDraws.UniformAroundChannelOffsets(1, double.NaN) },
        { "mean", () => ValueDraws.NormalOrTwoPoint(double.PositiveInfinity, 1) },
        { "standardDeviation", () => ValueDraws.NormalOrTwoPoint(0, -1) },
        { "lead", () => _ = new StorageLayout([0, 1], [0, 0], [0, 0], -1) },
        { "rank", () => StorageLayout.Contiguous(-1) },
        { "format", () => _ = new ChannelChoice((DataFormat)7, null) },
        { "rank", () => ChannelsLast.Resolve(1) },
        { "rank", () => new ChannelChoice(DataFormat.ChannelsLast, 3).Resolve(3) },
        { "rank", () => new ChannelChoice(DataFormat.ChannelsLast, -4).Argument(3) },
        { "type", () => _ = new TensorCase([2, 3], ChannelsLast, (ElementType)2, new double[6], StorageLayout.Contiguous(2)) },
        { "type", () => ((ElementType)2).UnitRoundoff() },
        { "type", () => ((ElementType)2).Round(1.0) },
        { "channelAxis", () => ChannelStatistics.Of([2, 3], 2, new double[6]) },
        { "channelAxis", () => ChannelIndex.Of([2, 3], -1) },
        { "movingVariance", () => _ = new NormalizationCase(Tensor, [1, 1, 1], [0, 0, 0], [0, 0, 0], [1, -1, 1], 0, 0.9, true, true, null) },
        { "epsilon", () => _ = new NormalizationCase(Tensor, [1, 1, 1], [0, 0, 0], [0, 0, 0], [1, 1, 1], -1, 0.9, true, true, null) },
        { "momentum", () => _ = new NormalizationCase(Tensor, [1, 1, 1], [0, 0, 0], [0, 0, 0], [1, 1, 1], 0, 1.5, true, true, null) },
        { "estimator", () => _ = new NormalizationCase(Tensor, [1, 1, 1], [0, 0, 0], [0, 0, 0], [1, 1, 1], 0, 0.9, true, true, (VarianceEstimator)9) },
        { "update", () => Step.Config(MomentsBackend.Reference, (BnNative.Normalization.EmaUpdate)9) },
        { "epsilon", () => ReferenceBatchNorm.Normalize(Tensor, [0, 0, 0], [1, 1, 1], [1, 1, 1], [0, 0, 0], double.NaN) },
        { "accumulation", () => _ = new MomentTolerance(-1, 0) },
        { "rounding", () => _ = new MomentTolerance(0, double.PositiveInfinity) },
        { "count", () => MomentTolerance.DoubleRounding(-1) },
        { "channel", () => MomentTolerance.Double(2).MeanBound(Tensor.Statistics(), 3) },
        { "channel", () => MomentTolerance.Double(2).VarianceBound(Tensor.Statistics(), -1) },
        { "position", () => OutputTolerance.Inference(Step).At(6) },
        { "factor", () => OutputTolerance.Inference(Step).Verify(new double[6], new double[6], factor: -1) },
    };

    public static TheoryData<string, Action> WrongShape => new()
    {
        { "storageOrder", () => _ = new StorageLayout([0, 0], [0, 0], [0, 0], 0) },
        { "padBefore", () => _ = new StorageLayout([0, 1], [0], [0, 0], 0) },
        { "padAfter", () => _ = new StorageLayout([1, 0], [0, 0], [0, -1], 0) },
        { "lengths", () => StorageLayout.Contiguous(2).Store<float>([2, 3, 1], new double[6]) },
        { "lengths", () => StorageLayout.Contiguous(2).BufferLength([2, -1]) },
        { "values", () => StorageLayout.Contiguous(2).Store<float>([2, 3], new double[5]) },
        { "lengths", () => _ = new TensorCase([6], ChannelsLast, ElementType.Double, new double[6], StorageLayout.Contiguous(1)) },
        { "lengths", () => _ = new TensorCase([2, 0], ChannelsLast, ElementType.Double, [], StorageLayout.Contiguous(2)) },
        { "values", () => _ = new TensorCase([2, 3], ChannelsLast, ElementType.Double, new double[5], StorageLayout.Contiguous(2)) },
        { "layout", () => _ = new TensorCase([2, 3], ChannelsLast, ElementType.Double, new double[6], StorageLayout.Contiguous(3)) },
        { "lengths", () => TensorCase.Draw([2], ChannelsLast, ElementType.Double, StorageLayout.Contiguous(1), ValueDraws.Standard, 1) },
        { "values", () => ChannelStatistics.Of([2, 3], 1, new double[7]) },
        { "draw", () => TensorCase.Draw([2, 3], ChannelsLast, ElementType.Double, StorageLayout.Contiguous(2), (_, _, _) => new double[5], 1) },
        { "view", () => TensorCase.FromView(TensorView<float>.Create(new float[4], 4), ChannelsLast) },
        { "view", () => TensorCase.FromView(TensorView<float>.Create(Array.Empty<float>(), 2, 0), ChannelsLast) },
        { "lengths", () => ValueDraws.PerElement([], 0, _ => 0) },
        { "gamma", () => _ = new NormalizationCase(Tensor, [1, 1], [0, 0, 0], [0, 0, 0], [1, 1, 1], 0, 0.9, true, true, null) },
        { "movingMean", () => _ = new NormalizationCase(Tensor, [1, 1, 1], [0, 0, 0], [0, 0, 0, 0], [1, 1, 1], 0, 0.9, true, true, null) },
        { "variance", () => ReferenceBatchNorm.Normalize(Tensor, [0, 0, 0], [1, 1], [1, 1, 1], [0, 0, 0], 0) },
        { "beta", () => ReferenceBatchNorm.Normalize(Tensor, [0, 0, 0], [1, 1, 1], [1, 1, 1], [0], 0) },
        { "dy", () => ReferenceBatchNorm.Backward(Step, new double[5]) },
        { "dy", () => ReferenceBatchNorm.BackwardInference(Step, new double[7]) },
        { "expected", () => MomentTolerance.Double(1).VerifySampleVariance(ChannelStatistics.Of([1, 2], 1, [1, 2]), BatchMoments.Empty(2)) },
    };

    public static TheoryData<string, Action> Missing => new()
    {
        { "types", () => TensorGenerators.Tensors(null!, ValueDraws.Standard) },
        { "draw", () => TensorGenerators.Tensors(TensorGenerators.BothTypes, null!) },
        { "draw", () => TensorGenerators.LargeTensors(TensorGenerators.BothTypes, null!) },
        { "shapes", () => TensorGenerators.FromShapes(null!, TensorGenerators.BothTypes, ValueDraws.Standard, TensorGenerators.Layouts) },
        { "layouts", () => TensorGenerators.FromShapes(FsCheck.Fluent.Gen.Constant((new[] { 2, 2 }, ChannelsLast)), TensorGenerators.BothTypes, ValueDraws.Standard, null!) },
        { "tensors", () => NormalizationGenerators.Cases(null!) },
        { "random", () => ValueDraws.Uniform(null!, 0, 1) },
        { "random", () => ValueDraws.StandardNormal(null!) },
        { "valueOfChannel", () => ValueDraws.PerElement([2, 2], 1, null!) },
        { "storageOrder", () => _ = new StorageLayout(null!, [], [], 0) },
        { "channel", () => _ = new TensorCase([2, 3], null!, ElementType.Double, new double[6], StorageLayout.Contiguous(2)) },
        { "layout", () => _ = new TensorCase([2, 3], ChannelsLast, ElementType.Double, new double[6], null!) },
        { "view", () => TensorCase.FromView<float>(null!, ChannelsLast) },
        { "tensor", () => _ = new NormalizationCase(null!, [], [], [], [], 0, 0.9, true, true, null) },
        { "beta", () => _ = new NormalizationCase(Tensor, [1, 1, 1], null!, [0, 0, 0], [1, 1, 1], 0, 0.9, true, true, null) },
        { "moments", () => Step.Config(null!) },
        { "single", () => Step.Run(null!, _ => { }) },
        { "step", () => ReferenceBatchNorm.Train(null!) },
        { "step", () => ReferenceBatchNorm.Infer(null!) },
        { "x", () => ReferenceBatchNorm.Normalize(null!, [], [], [], [], 0) },
        { "x", () => MomentTolerance.For(null!) },
        { "scale", () => MomentTolerance.Double(1).Bounds(null!) },
        { "actual", () => MomentTolerance.Double(1).Verify(Tensor.Statistics(), null!) },
        { "moments", () => OutputTolerance.Training(Step, null!) },
        { "actual", () => OutputTolerance.Inference(Step).Verify(new double[6], null!) },
        { "values", () => ElementType.Single.Round((double[])null!) },
        { "lengths", () => ChannelIndex.Product(null!) },
    };

    [Theory]
    [MemberData(nameof(OutOfRange))]
    public void OutOfRangeArgumentsAreNamed(string parameter, Action call) => AssertNamed<ArgumentOutOfRangeException>(parameter, call);

    [Theory]
    [MemberData(nameof(WrongShape))]
    public void MisshapenArgumentsAreNamed(string parameter, Action call) => AssertNamed<ArgumentException>(parameter, call);

    [Theory]
    [MemberData(nameof(Missing))]
    public void NullArgumentsAreNamed(string parameter, Action call) => AssertNamed<ArgumentNullException>(parameter, call);

    [Fact]
    public void MessagesSayWhatWasExpectedAndWhatArrived()
    {
        Assert.StartsWith(
            "values must hold 6 entries (the product of lengths [2, 3]), got 5.",
            Assert.Throws<ArgumentException>(() => StorageLayout.Contiguous(2).Store<float>([2, 3], new double[5])).Message);
        Assert.StartsWith(
            "storageOrder must be a permutation of 0..1, got [0, 0].",
            Assert.Throws<ArgumentException>(() => new StorageLayout([0, 0], [0, 0], [0, 0], 0)).Message);
        Assert.StartsWith(
            "gamma must hold 3 entries (one per channel of tensor), got 2.",
            Assert.Throws<ArgumentException>(() => new NormalizationCase(Tensor, [1, 1], [0, 0, 0], [0, 0, 0], [1, 1, 1], 0, 0.9, true, true, null)).Message);
        Assert.StartsWith(
            "The explicit axis 3 needs a rank above 3, got rank 3.",
            Assert.Throws<ArgumentOutOfRangeException>(() => new ChannelChoice(DataFormat.ChannelsLast, 3).Resolve(3)).Message);
    }

    [Fact]
    public void FromViewRejectsOtherElementTypes() =>
        Assert.Throws<NotSupportedException>(() => TensorCase.FromView(TensorView<Half>.Create(new Half[4], 2, 2), ChannelsLast));

    /// <summary>Asserts <paramref name="call"/> throws exactly <typeparamref name="TException"/>, naming <paramref name="parameter"/> as its parameter and in its message.</summary>
    private static void AssertNamed<TException>(string parameter, Action call)
        where TException : ArgumentException
    {
        var error = Assert.Throws<TException>(call);
        Assert.Equal(parameter, error.ParamName);
        Assert.Contains(parameter, error.Message);
    }
}
