using System.Numerics;
using BnNative.Collections;
using BnNative.IO;
using BnNative.Normalization;
using BnNative.Tensors;
using BnNative.Tests.IO;

namespace BnNative.Tests.Cli;

/// <summary>The state a <c>bnnative run</c> starts from (public: theory parameters take it).</summary>
public enum RunStart
{
    /// <summary>No <c>--state-in</c>: the initial state, with the initial renorm state when <c>--renorm</c> is given.</summary>
    Initial,

    /// <summary>A random state file without renorm keys: a renorm step starts from the initial renorm state.</summary>
    PlainState,

    /// <summary>A random state file with <c>renorm_mean</c>, <c>renorm_stddev</c> and <c>moving_stddev</c>.</summary>
    RenormState,
}

/// <summary>An input for <c>bnnative run</c>'s ghost, renorm and sync options, whatever its element type.</summary>
internal interface IDistributedRunInput
{
    /// <summary>
    /// Runs <c>bnnative run</c> with <paramref name="options"/> (and the input's layout options) from
    /// <paramref name="start"/>, and asserts the output and <c>--state-out</c> equal the in-process step.
    /// </summary>
    void AssertRunMatches(string options, BatchNormConfig config, bool train, RunStart start);

    /// <summary>Two runs chained through <c>--state-out</c>/<c>--state-in</c> equal two in-process steps.</summary>
    void AssertChainMatches(string options, BatchNormConfig config);

    /// <summary>Whether two configs give bitwise the same output and the same state when the run starts from <paramref name="start"/>.</summary>
    bool SameResult(BatchNormConfig first, bool firstTrains, BatchNormConfig second, bool secondTrains, RunStart start);
}

/// <summary>An input tensor <paramref name="X"/> and its layout; every batch has the same lengths as <paramref name="X"/>.</summary>
/// <param name="X">The batch.</param>
/// <param name="LayoutOptions">Command-line options that describe the layout, such as <c>--data-format NCHW</c>.</param>
/// <param name="Format">The data format those options set, or null when they set none.</param>
internal sealed record DistributedRunInput<T>(Tensor<T> X, string[] LayoutOptions, DataFormat? Format) : IDistributedRunInput
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private const int StateSeed = 17;
    private const long StateStep = 4;
    private const int SecondBatchSeed = 18;

    public void AssertRunMatches(string options, BatchNormConfig config, bool train, RunStart start)
    {
        config = WithLayout(config);
        var state = Start(config, start);
        using var files = new TempDirectory();
        var args = Run(files, X, "x.npy", "y.npy", "state.npz", options);
        if (start != RunStart.Initial)
        {
            args.AddRange(["--state-in", CliData.WriteState(files.File("in.npz"), state)]);
        }

        var result = CliResult.Of([.. args]);

        result.AssertSucceeded();
        Assert.NotEqual(string.Empty, result.Output);
        var (output, next) = ExpectedRun.Of(X.View, state, config, train);
        CliData.AssertBitwise(output, CliData.ReadTensor<T>(files.File("y.npy")).View);
        Assert.Equal(next, BatchNormStateFile.Load<T>(files.File("state.npz")));
    }

    public void AssertChainMatches(string options, BatchNormConfig config)
    {
        config = WithLayout(config);
        var second = CliData.RandomTensor<T>(SecondBatchSeed, X.Lengths.ToArray());
        using var files = new TempDirectory();
        var firstRun = Run(files, X, "x1.npy", "y1.npy", "s1.npz", options);
        var secondRun = Run(files, second, "x2.npy", "y2.npy", "s2.npz", options);
        secondRun.AddRange(["--state-in", files.File("s1.npz")]);

        CliResult.Of([.. firstRun]).AssertSucceeded();
        CliResult.Of([.. secondRun]).AssertSucceeded();

        var (y1, s1) = ExpectedRun.Of(X.View, Start(config, RunStart.Initial), config, train: true);
        var (y2, s2) = ExpectedRun.Of(second.View, s1, config, train: true);
        CliData.AssertBitwise(y1, CliData.ReadTensor<T>(files.File("y1.npy")).View);
        CliData.AssertBitwise(y2, CliData.ReadTensor<T>(files.File("y2.npy")).View);
        Assert.Equal(s1, BatchNormStateFile.Load<T>(files.File("s1.npz")));
        Assert.Equal(s2, BatchNormStateFile.Load<T>(files.File("s2.npz")));
    }

    public bool SameResult(BatchNormConfig first, bool firstTrains, BatchNormConfig second, bool secondTrains, RunStart start)
    {
        first = WithLayout(first);
        second = WithLayout(second);
        var (firstOutput, firstNext) = ExpectedRun.Of(X.View, Start(first, start), first, firstTrains);
        var (secondOutput, secondNext) = ExpectedRun.Of(X.View, Start(second, start), second, secondTrains);
        return IoTensors.Bits(firstOutput.ToArray()).AsSpan().SequenceEqual(IoTensors.Bits(secondOutput.ToArray())) && firstNext == secondNext;
    }

    /// <summary>The state the CLI starts from: without <c>--state-in</c> the one it builds itself, otherwise the file's.</summary>
    private BatchNormState<T> Start(BatchNormConfig config, RunStart start)
    {
        int channels = ExpectedRun.Channels(X.View, config);
        return start switch
        {
            RunStart.Initial => BatchNormState<T>.Init(channels, config),
            RunStart.PlainState => CliData.RandomState<T>(channels, StateSeed, StateStep),
            _ => CliData.RandomState<T>(channels, StateSeed, StateStep) with { Renorm = RenormStates.Random<T>(channels, StateSeed) },
        };
    }

    /// <summary>The config the CLI builds when the layout options follow <paramref name="config"/>'s options.</summary>
    private BatchNormConfig WithLayout(BatchNormConfig config) => Format is { } format ? config with { DataFormat = format } : config;

    /// <summary><c>run --input … --output … --state-out …</c> in <paramref name="files"/>, with the layout options and <paramref name="options"/>.</summary>
    private List<string> Run(TempDirectory files, Tensor<T> x, string input, string output, string stateOut, string options) =>
    [
        "run",
        "--input", CliData.WriteTensor(files.File(input), x.View),
        "--output", files.File(output),
        "--state-out", files.File(stateOut),
        .. LayoutOptions,
        .. options.Split(' ', StringSplitOptions.RemoveEmptyEntries),
    ];
}

/// <summary>Batch renormalization states for the CLI tests.</summary>
internal static class RenormStates
{
    /// <summary>
    /// Random renorm_mean in [−1, 3), renorm_stddev in [0.5, 3) and moving_stddev in [0.5, 2) (none at their initial
    /// values), except that channel 0's renorm_stddev is 0, so s_R takes the sqrt(eps) floor and r and d are clipped.
    /// </summary>
    public static BatchRenormState<T> Random<T>(int channels, int seed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new Random(seed);
        ReadOnlyVector<T> Uniform(double low, double high, bool zeroFirst) =>
            ReadOnlyVector.Create<T>(
                [.. Enumerable.Range(0, channels).Select(c => zeroFirst && c == 0 ? T.Zero : T.CreateTruncating(low + (random.NextDouble() * (high - low))))]);
        return new BatchRenormState<T>(Uniform(-1, 3, zeroFirst: false), Uniform(0.5, 3, zeroFirst: true), Uniform(0.5, 2, zeroFirst: false));
    }
}
