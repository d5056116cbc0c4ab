using System.Numerics;
using BnNative.IO;
using BnNative.Normalization;
using BnNative.Tensors;
using BnNative.Tests.IO;

namespace BnNative.Tests.Cli;

/// <summary>An input for <c>bnnative run</c>, whatever its element type, and the checks made with it.</summary>
internal interface IRunInput
{
    /// <summary>
    /// Runs <c>bnnative run</c> with <paramref name="options"/> (and the input's layout options), from a random state
    /// file or from the initial state, and asserts the output and <c>--state-out</c> equal the in-process step.
    /// </summary>
    void AssertRunMatches(string options, BatchNormConfig config, bool train, bool withStateIn);

    /// <summary>Two runs chained through <c>--state-out</c>/<c>--state-in</c> equal two in-process steps.</summary>
    void AssertChainMatches(string options, BatchNormConfig config);

    /// <summary>Whether <paramref name="config"/> (with a random state) gives another output or state than tensorpack's defaults.</summary>
    bool Changes(BatchNormConfig config, bool train);
}

/// <summary>An input tensor <paramref name="X"/>, a second batch <paramref name="Next"/> for chained steps, and its layout.</summary>
/// <param name="X">The first batch.</param>
/// <param name="Next">The second batch of a chain, with the lengths of <paramref name="X"/>.</param>
/// <param name="LayoutOptions">Command-line options that describe the layout, such as <c>--data-format NCHW</c>.</param>
/// <param name="Format">The data format those options set, or null when they set none.</param>
internal sealed record RunInput<T>(Tensor<T> X, Tensor<T> Next, string[] LayoutOptions, DataFormat? Format) : IRunInput
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private const int StateSeed = 7;
    private const long StateStep = 3;

    public void AssertRunMatches(string options, BatchNormConfig config, bool train, bool withStateIn)
    {
        config = WithLayout(config);
        int channels = ExpectedRun.Channels(X.View, config);
        var stateIn = withStateIn ? CliData.RandomState<T>(channels, StateSeed, StateStep) : null;
        using var files = new TempDirectory();
        var args = Run(files, "x.npy", "y.npy", "state.npz", options);
        if (stateIn is not null)
        {
            args.AddRange(["--state-in", CliData.WriteState(files.File("in.npz"), stateIn)]);
        }

        var result = CliResult.Of([.. args]);

        result.AssertSucceeded();
        Assert.NotEqual(string.Empty, result.Output);
        var (output, next) = ExpectedRun.Of(X.View, stateIn ?? BatchNormState<T>.Init(channels, config), config, train);
        CliData.AssertBitwise(output, CliData.ReadTensor<T>(files.File("y.npy")).View);
        Assert.Equal(next, BatchNormStateFile.Load<T>(files.File("state.npz")));
    }

    public void AssertChainMatches(string options, BatchNormConfig config)
    {
        config = WithLayout(config);
        using var files = new TempDirectory();
        var first = Run(files, "x1.npy", "y1.npy", "s1.npz", options);
        var second = Run(files, "x2.npy", "y2.npy", "s2.npz", options, Next);
        second.AddRange(["--state-in", files.File("s1.npz")]);

        CliResult.Of([.. first]).AssertSucceeded();
        CliResult.Of([.. second]).AssertSucceeded();

        var (y1, s1) = ExpectedRun.Of(X.View, BatchNormState<T>.Init(ExpectedRun.Channels(X.View, config), config), config, train: true);
        var (y2, s2) = ExpectedRun.Of(Next.View, s1, config, train: true);
        CliData.AssertBitwise(y1, CliData.ReadTensor<T>(files.File("y1.npy")).View);
        CliData.AssertBitwise(y2, CliData.ReadTensor<T>(files.File("y2.npy")).View);
        Assert.Equal(s1, BatchNormStateFile.Load<T>(files.File("s1.npz")));
        Assert.Equal(s2, BatchNormStateFile.Load<T>(files.File("s2.npz")));
    }

    public bool Changes(BatchNormConfig config, bool train)
    {
        var (output, next) = WithRandomState(WithLayout(config), train);
        var (baselineOutput, baselineNext) = WithRandomState(WithLayout(BatchNormConfig.Tensorpack), train: true);
        return !IoTensors.Bits(output.ToArray()).AsSpan().SequenceEqual(IoTensors.Bits(baselineOutput.ToArray())) || next != baselineNext;
    }

    private (TensorView<T> Output, BatchNormState<T> Next) WithRandomState(BatchNormConfig config, bool train) =>
        ExpectedRun.Of(X.View, CliData.RandomState<T>(ExpectedRun.Channels(X.View, config), StateSeed, StateStep), config, train);

    /// <summary>The config the CLI builds when the layout options follow <paramref name="config"/>'s options.</summary>
    private BatchNormConfig WithLayout(BatchNormConfig config) => Format is { } format ? config with { DataFormat = format } : config;

    /// <summary><c>run --input … --output … --state-out …</c> in <paramref name="files"/>, with the layout options and <paramref name="options"/>.</summary>
    private List<string> Run(TempDirectory files, string input, string output, string stateOut, string options, Tensor<T>? x = null) =>
    [
        "run",
        "--input", CliData.WriteTensor(files.File(input), (x ?? X).View),
        "--output", files.File(output),
        "--state-out", files.File(stateOut),
        .. LayoutOptions,
        .. options.Split(' ', StringSplitOptions.RemoveEmptyEntries),
    ];
}
