using System.Globalization;
using System.Numerics;
using BnNative.Cli;
using BnNative.Collections;
using BnNative.IO;
using BnNative.Normalization;
using BnNative.Tensors;
using BnNative.Tests.IO;

namespace BnNative.Tests.Cli;

/// <summary>The exit code and the text one run of a tool (<see cref="CliApp.Run"/>, <c>DemoApp.Run</c>) wrote to standard output and standard error.</summary>
internal readonly record struct CliResult(int ExitCode, string Output, string Error)
{
    /// <summary>Runs <c>bnnative</c> in-process with <paramref name="args"/>, capturing both streams.</summary>
    public static CliResult Of(params string[] args) => Of(CliApp.Run, args);

    /// <summary>
    /// Runs a tool's in-process entry point (<c>CliApp.Run</c>, <c>DemoApp.Run</c>: arguments, standard output,
    /// standard error → exit code) with <paramref name="args"/>, capturing both streams.
    /// </summary>
    public static CliResult Of(Func<string[], TextWriter, TextWriter, int> tool, params string[] args)
    {
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        using var error = new StringWriter(CultureInfo.InvariantCulture);
        int code = tool(args, output, error);
        return new CliResult(code, output.ToString(), error.ToString());
    }

    /// <summary>Asserts success: exit 0 and nothing on standard error.</summary>
    public void AssertSucceeded()
    {
        Assert.True(ExitCode == 0, $"exit {ExitCode}; stderr: {Error}");
        Assert.Equal(string.Empty, Error);
    }
}

/// <summary>Tensors and states for the CLI tests, and the .npy/.npz files that carry them.</summary>
internal static class CliData
{
    /// <summary>A row-major tensor of values uniform in [−2, 6) from a fixed seed (mean ≈ 2, so subtracting it matters).</summary>
    public static Tensor<T> RandomTensor<T>(int seed, params int[] lengths)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var tensor = Tensor<T>.Zeros(lengths);
        var random = new Random(seed);
        for (int k = 0; k < tensor.Data.Length; k++)
        {
            tensor.Data[k] = T.CreateTruncating((random.NextDouble() * 8) - 2);
        }

        return tensor;
    }

    /// <summary>A state with random moving statistics, gamma and beta (none of them at their initial values).</summary>
    public static BatchNormState<T> RandomState<T>(int channels, int seed, long step)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new Random(seed);
        ReadOnlyVector<T> Uniform(double low, double high) =>
            ReadOnlyVector.Create<T>([.. Enumerable.Range(0, channels).Select(_ => T.CreateTruncating(low + (random.NextDouble() * (high - low))))]);
        return new BatchNormState<T>(Uniform(-1, 3), Uniform(0.5, 4), Uniform(0.25, 2), Uniform(-1, 1), step);
    }

    /// <summary>Writes <paramref name="x"/> as a float32 or float64 .npy file and returns the path.</summary>
    public static string WriteTensor<T>(string path, TensorView<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        NpyFile.Write(path, x is TensorView<float> floats ? NpyArray.FromTensor(floats) : NpyArray.FromTensor((TensorView<double>)(object)x));
        return path;
    }

    /// <summary>Reads a float32 (<typeparamref name="T"/> = float) or float64 .npy file; any other dtype fails.</summary>
    public static Tensor<T> ReadTensor<T>(string path)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var array = NpyFile.Read(path);
        return typeof(T) == typeof(float) ? (Tensor<T>)(object)array.ToFloatTensor() : (Tensor<T>)(object)array.ToDoubleTensor();
    }

    /// <summary>Saves <paramref name="state"/> and returns the path.</summary>
    public static string WriteState<T>(string path, BatchNormState<T> state)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        BatchNormStateFile.Save(path, state);
        return path;
    }

    /// <summary>Asserts equal lengths and bit-identical elements (−0 and NaN payloads count).</summary>
    public static void AssertBitwise<T>(TensorView<T> expected, TensorView<T> actual)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Assert.Equal(expected.Lengths.ToArray(), actual.Lengths.ToArray());
        Assert.Equal(IoTensors.Bits(expected.ToArray()), IoTensors.Bits(actual.ToArray()));
    }
}

/// <summary>What one <c>bnnative run</c> should produce, computed in-process from the documented behaviour.</summary>
internal static class ExpectedRun
{
    /// <summary>
    /// The output and the state <c>--state-out</c> should hold. Train: the batch-statistics output; for internal and
    /// collection the EMA-updated state (what an internal step returns), for skip the state unchanged. Infer: the
    /// moving-statistics output and the state unchanged.
    /// </summary>
    public static (TensorView<T> Output, BatchNormState<T> Next) Of<T>(TensorView<T> x, BatchNormState<T> state, BatchNormConfig config, bool train)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!train)
        {
            return (BatchNorm.Infer(x, state, config).View, state);
        }

        var output = BatchNorm.Train(x, state, config).Output;
        var next = config.EmaUpdate == EmaUpdate.Skip
            ? state
            : BatchNorm.Train(x, state, config with { EmaUpdate = EmaUpdate.Internal }).NextState;
        return (output, next);
    }

    /// <summary>The channel count <paramref name="config"/> resolves for <paramref name="x"/>.</summary>
    public static int Channels<T>(TensorView<T> x, BatchNormConfig config)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        x.Lengths[ChannelAxis.Resolve(x.Rank, config.DataFormat, config.Axis)];
}

/// <summary>The exact bytes and last-write time of a file, to show a failed command did not touch it.</summary>
internal readonly record struct FileSnapshot(string Path, byte[] Bytes, DateTime LastWriteUtc)
{
    private static readonly DateTime OldTime = new(2001, 2, 3, 4, 5, 6, DateTimeKind.Utc);

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/>, dates it in 2001 and snapshots it.</summary>
    public static FileSnapshot Create(string path, byte[] bytes)
    {
        File.WriteAllBytes(path, bytes);
        File.SetLastWriteTimeUtc(path, OldTime);
        return new FileSnapshot(path, bytes, OldTime);
    }

    /// <summary>Asserts the file still has the same bytes and time.</summary>
    public void AssertUnchanged()
    {
        Assert.True(File.Exists(Path), $"{Path} was removed");
        Assert.Equal(Bytes, File.ReadAllBytes(Path));
        Assert.Equal(LastWriteUtc, File.GetLastWriteTimeUtc(Path));
    }
}
