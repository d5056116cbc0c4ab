using BnNative.IO;
using BnNative.Moments;
using BnNative.Normalization;
using BnNative.Tensors;
using BnNative.Tests.IO;

namespace BnNative.Tests.Cli;

/// <summary>
/// <c>bnnative run</c> succeeds (exit 0, nothing on standard error) and writes exactly what the in-process
/// <see cref="BatchNorm"/> step gives with the config its options describe: the output bitwise, the state by value.
/// </summary>
public sealed class RunCommandTests
{
    private const string Matrix = "float32 [8,4]";
    private const string Images = "float64 NCHW [2,3,4,4]";

    private static readonly Dictionary<string, IRunInput> Inputs = new()
    {
        [Matrix] = new RunInput<float>(CliData.RandomTensor<float>(1, 8, 4), CliData.RandomTensor<float>(2, 8, 4), [], null),
        [Images] = new RunInput<double>(
            CliData.RandomTensor<double>(3, 2, 3, 4, 4), CliData.RandomTensor<double>(4, 2, 3, 4, 4), ["--data-format", "NCHW"], DataFormat.ChannelsFirst),
    };

    private static readonly BatchNormConfig Tensorpack = BatchNormConfig.Tensorpack;

    /// <summary>
    /// Options → the in-process config and mode they stand for, and whether they are documented to give the same
    /// files as no options at all (a single CLI step writes the updated state for internal and collection alike).
    /// </summary>
    private static readonly Dictionary<string, (BatchNormConfig Config, bool Train, bool SameAsDefault)> Options = new()
    {
        [""] = (Tensorpack, true, true),
        ["--mode train"] = (Tensorpack, true, true),
        ["--preset tensorpack"] = (Tensorpack, true, true),
        ["--ema collection"] = (Tensorpack with { EmaUpdate = EmaUpdate.Collection }, true, true),
        ["--ema internal"] = (Tensorpack with { EmaUpdate = EmaUpdate.Internal }, true, true),
        ["--ema skip"] = (Tensorpack with { EmaUpdate = EmaUpdate.Skip }, true, false),
        ["--momentum 0.5"] = (Tensorpack with { Momentum = 0.5 }, true, false),
        ["--momentum 1"] = (Tensorpack with { Momentum = 1 }, true, false),
        ["--momentum 0"] = (Tensorpack with { Momentum = 0 }, true, false),
        ["--epsilon 0.25"] = (Tensorpack with { Epsilon = 0.25 }, true, false),
        ["--epsilon 0"] = (Tensorpack with { Epsilon = 0 }, true, false),
        ["--variance unbiased"] = (Tensorpack with { MovingVariance = VarianceEstimator.Unbiased }, true, false),
        ["--variance biased"] = (Tensorpack with { MovingVariance = VarianceEstimator.Biased }, true, false),
        ["--preset pytorch"] = (BatchNormConfig.PyTorch, true, false),
        ["--preset keras"] = (BatchNormConfig.Keras, true, false),
        ["--preset flax"] = (BatchNormConfig.Flax, true, false),
        ["--preset keras --momentum 0.5 --ema skip"] = (BatchNormConfig.Keras with { Momentum = 0.5, EmaUpdate = EmaUpdate.Skip }, true, false),
        ["--ema internal --momentum 0.5"] = (Tensorpack with { EmaUpdate = EmaUpdate.Internal, Momentum = 0.5 }, true, false),
        ["--preset pytorch --variance biased"] = (BatchNormConfig.PyTorch with { MovingVariance = VarianceEstimator.Biased }, true, false),
        ["--preset flax --no-scale"] = (BatchNormConfig.Flax with { Scale = false }, true, false),
        ["--no-center"] = (Tensorpack with { Center = false }, true, false),
        ["--no-scale"] = (Tensorpack with { Scale = false }, true, false),
        ["--no-center --no-scale"] = (Tensorpack with { Center = false, Scale = false }, true, false),
        ["--axis -1"] = (Tensorpack with { Axis = -1 }, true, false),
        ["--axis 0"] = (Tensorpack with { Axis = 0 }, true, false),
        ["--mode infer"] = (Tensorpack, false, false),
        ["--mode infer --epsilon 0.25 --no-center"] = (Tensorpack with { Epsilon = 0.25, Center = false }, false, false),
        ["--mode infer --preset keras --axis -1"] = (BatchNormConfig.Keras with { Axis = -1 }, false, false),
    };

    public static TheoryData<string, string, bool> Runs
    {
        get
        {
            var data = new TheoryData<string, string, bool>();
            foreach (string input in Inputs.Keys)
            {
                foreach (string options in Options.Keys)
                {
                    data.Add(input, options, false);
                    data.Add(input, options, true);
                }
            }

            return data;
        }
    }

    public static TheoryData<string> OptionTexts => [.. Options.Keys];

    [Theory]
    [MemberData(nameof(Runs))]
    public void RunWritesWhatTheInProcessStepGives(string input, string options, bool withStateIn)
    {
        var (config, train, _) = Options[options];

        Inputs[input].AssertRunMatches(options, config, train, withStateIn);
    }

    /// <summary>Guards the theory above: an option that changed nothing would pass it without being read.</summary>
    [Theory]
    [MemberData(nameof(OptionTexts))]
    public void EachOptionChangesTheResultUnlessDocumentedEquivalent(string options)
    {
        var (config, train, sameAsDefault) = Options[options];

        Assert.Equal(!sameAsDefault, Inputs.Values.Any(input => input.Changes(config, train)));
    }

    [Theory]
    [InlineData(Matrix, "")]
    [InlineData(Matrix, "--ema internal --momentum 0.5")]
    [InlineData(Matrix, "--ema skip")]
    [InlineData(Images, "")]
    [InlineData(Images, "--preset pytorch --variance biased")]
    [InlineData(Images, "--preset flax --no-scale")]
    public void TwoChainedRunsEqualTwoInProcessSteps(string input, string options) =>
        Inputs[input].AssertChainMatches(options, Options[options].Config);

    [Fact]
    public void SkipLeavesTheStepCounterAndMovingStatisticsOfTheStateIn()
    {
        using var files = new TempDirectory();
        var state = CliData.RandomState<float>(4, seed: 11, step: 5);
        string[] args =
        [
            "run", "--input", CliData.WriteTensor(files.File("x.npy"), CliData.RandomTensor<float>(5, 8, 4).View),
            "--output", files.File("y.npy"), "--state-in", CliData.WriteState(files.File("in.npz"), state),
            "--state-out", files.File("out.npz"), "--ema", "skip",
        ];

        CliResult.Of(args).AssertSucceeded();

        var written = BatchNormStateFile.Load<float>(files.File("out.npz"));
        Assert.Equal(5, written.Step);
        Assert.Equal(state, written);
    }

    [Fact]
    public void TheOutputHasTheInputsDtypeAndShape()
    {
        using var files = new TempDirectory();
        string[] args =
        [
            "run", "--input", CliData.WriteTensor(files.File("x.npy"), CliData.RandomTensor<double>(6, 2, 3, 4, 4).View),
            "--output", files.File("y.npy"), "--data-format", "channels_first",
        ];

        CliResult.Of(args).AssertSucceeded();

        var output = NpyFile.Read(files.File("y.npy"));
        Assert.Equal(NpyDType.Float64, output.DType);
        Assert.Equal(new[] { 2, 3, 4, 4 }, output.Shape.ToArray());
        Assert.Equal(["x.npy", "y.npy"], files.FileNames());
    }

    [Theory]
    [InlineData("channels_first", DataFormat.ChannelsFirst)]
    [InlineData("NCHW", DataFormat.ChannelsFirst)]
    [InlineData("nchw", DataFormat.ChannelsFirst)]
    [InlineData("channels_last", DataFormat.ChannelsLast)]
    [InlineData("NHWC", DataFormat.ChannelsLast)]
    public void EverySpellingOfADataFormatWorks(string spelling, DataFormat format) =>
        new RunInput<double>(CliData.RandomTensor<double>(7, 2, 3, 4, 5), CliData.RandomTensor<double>(8, 2, 3, 4, 5), ["--data-format", spelling], format)
            .AssertRunMatches(string.Empty, Tensorpack, train: true, withStateIn: true);

    /// <summary>Only an unbiased moving-variance update needs two samples: inference, the biased estimator and skip take one.</summary>
    [Theory]
    [InlineData("--mode infer --preset pytorch")]
    [InlineData("--variance biased")]
    [InlineData("--ema skip --variance unbiased")]
    public void ASingleSampleBatchWorksWithoutAnUnbiasedUpdate(string options)
    {
        var config = options switch
        {
            "--mode infer --preset pytorch" => BatchNormConfig.PyTorch,
            "--variance biased" => Tensorpack with { MovingVariance = VarianceEstimator.Biased },
            _ => Tensorpack with { EmaUpdate = EmaUpdate.Skip, MovingVariance = VarianceEstimator.Unbiased },
        };

        new RunInput<float>(CliData.RandomTensor<float>(9, 1, 4), CliData.RandomTensor<float>(10, 1, 4), [], null)
            .AssertRunMatches(options, config, train: !options.Contains("infer", StringComparison.Ordinal), withStateIn: true);
    }

    /// <summary>A Fortran-order or big-endian input is the same tensor: the output (always C order, little-endian) is the same file.</summary>
    [Theory]
    [InlineData("<f4", true)]
    [InlineData(">f4", false)]
    [InlineData(">f4", true)]
    public void AnyStoredLayoutOfTheInputGivesTheSameOutput(string descr, bool fortranOrder)
    {
        using var files = new TempDirectory();
        var x = CliData.RandomTensor<float>(12, 8, 4);
        var stored = fortranOrder ? x.View.Permute(1, 0).ToArray() : x.Data;
        byte[] data = NpyBytes.Floats(stored);
        if (descr[0] == '>')
        {
            for (int k = 0; k < data.Length; k += 4)
            {
                Array.Reverse(data, k, 4);
            }
        }

        File.WriteAllBytes(files.File("stored.npy"), NpyBytes.Simple(descr, "(8, 4)", data, fortranOrder));

        CliResult.Of("run", "--input", CliData.WriteTensor(files.File("x.npy"), x.View), "--output", files.File("expected.npy")).AssertSucceeded();
        CliResult.Of("run", "--input", files.File("stored.npy"), "--output", files.File("y.npy")).AssertSucceeded();

        Assert.Equal(File.ReadAllBytes(files.File("expected.npy")), File.ReadAllBytes(files.File("y.npy")));
    }
}
