using System.Diagnostics.CodeAnalysis;
using System.CommandLine;
using System.Globalization;
using System.Numerics;
using BnNative.Collections;
using BnNative.IO;
using BnNative.Moments;
using BnNative.Native.Mpi;
using BnNative.Normalization;
using BnNative.Tensors;
using BnNative.Tools;

namespace BnNative.Cli;

/// <summary>
/// <c>bnnative run</c>: one batch normalization step on an .npy file. Everything is read and computed before
/// anything is written, and files are written atomically, so bad arguments or bad input (exit 2, one line on
/// standard error) create or change no output file.
/// </summary>
internal static class RunCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var input = new Option<string>("--input") { Description = "Input tensor (.npy, float32 or float64).", Required = true };
        var outputPath = new Option<string>("--output") { Description = "Output tensor (.npy, same dtype).", Required = true };
        var stateIn = new Option<string?>("--state-in") { Description = "State to start from (.npz with mean/EMA, variance/EMA, gamma, beta, step); default: the initial state." };
        var stateOut = new Option<string?>("--state-out") { Description = "Where to write the state after the step (.npz)." };
        var mode = new Option<string>("--mode") { Description = "train (batch statistics) or infer (moving statistics).", DefaultValueFactory = _ => "train" };
        var dataFormat = new Option<string?>("--data-format") { Description = "channels_last | channels_first | NHWC | NCHW." };
        var axis = new Option<int?>("--axis") { Description = "Explicit channel axis (negative counts from the end)." };
        var momentum = new Option<double?>("--momentum") { Description = "EMA momentum, TF convention (weight of the old value), in [0, 1]." };
        var epsilon = new Option<double?>("--epsilon") { Description = "Added to the variance, ≥ 0." };
        var ema = new Option<string?>("--ema") { Description = "internal | collection | skip (default: collection, tensorpack's default)." };
        var variance = new Option<string?>("--variance") { Description = "Moving-variance estimator: biased | unbiased (default: the preset's rule)." };
        var preset = new Option<string>("--preset") { Description = "tensorpack | pytorch | keras | flax.", DefaultValueFactory = _ => "tensorpack" };
        var noCenter = new Option<bool>("--no-center") { Description = "No beta." };
        var noScale = new Option<bool>("--no-scale") { Description = "No gamma." };
        var virtualBatchSize = new Option<int?>("--virtual-batch-size") { Description = "Ghost batch norm: normalize chunks of V samples (axis 0) separately; V must divide the batch." };
        var ghostEma = new Option<string?>("--ghost-ema") { Description = "What feeds the EMA under ghost batch norm: first (tensorpack, default) | mean (Keras) | all (exact full batch)." };
        var renorm = new Option<string?>("--renorm") { Description = "Batch renormalization with clip bounds RMAX,DMAX (for example 3,5)." };
        var allowNonFinite = new Option<bool>("--allow-nonfinite")
        {
            Description = "Propagate NaN/±∞ statistics silently (PyTorch's behaviour) instead of failing a step whose batch statistics or next state are not finite, or a --state-in holding non-finite values.",
        };
        var sync = new Option<string>("--sync") { Description = "none | mpi: synchronize batch statistics across the processes of an mpirun job; {rank} in paths becomes the rank, rank 0 writes the state.", DefaultValueFactory = _ => "none" };
        var command = new Command("run", "Run one batch normalization step on an .npy tensor.")
        {
            input, outputPath, stateIn, stateOut, mode, dataFormat, axis, momentum, epsilon, ema, variance, preset, noCenter, noScale,
            virtualBatchSize, ghostEma, renorm, allowNonFinite, sync,
        };
        command.SetAction(parsed => new ToolInvocation("bnnative run", error).Run(invocation =>
        {
            var config = BuildConfig(
                parsed.GetValue(preset)!, parsed.GetValue(dataFormat), parsed.GetValue(axis), parsed.GetValue(momentum),
                parsed.GetValue(epsilon), parsed.GetValue(ema), parsed.GetValue(variance), parsed.GetValue(noCenter), parsed.GetValue(noScale));
            config = Distributed(config, parsed.GetValue(virtualBatchSize), parsed.GetValue(ghostEma), parsed.GetValue(renorm)) with
            {
                AllowNonFinite = parsed.GetValue(allowNonFinite),
            };
            bool train = ParseMode(parsed.GetValue(mode)!);
            bool synchronized = ToolOptions.ParseSync(parsed.GetValue(sync)!);
            if (synchronized && !train)
            {
                throw new ArgumentException("--sync mpi synchronizes training statistics; it does not apply to --mode infer.");
            }

            var session = invocation.StartMpi(synchronized);
            var request = new Request(
                Expand(parsed.GetValue(input)!, session), Expand(parsed.GetValue(outputPath)!, session), Expand(parsed.GetValue(stateIn), session),
                session is { Rank: not 0 } ? null : Expand(parsed.GetValue(stateOut), session), train, config, session);

            // Every rank prepares (checks targets, reads its shard and the state) and the ranks agree on whether all of
            // them succeeded before any statistics move, so a bad file on one rank is an error on every rank instead of a hang.
            if (!invocation.TryPrepare(() => Prepare(request), out var step))
            {
                return CliApp.BadInput;
            }

            output.WriteLine($"{invocation.RankPrefix}{step!()}");
            return 0;
        }));
        return command;
    }

    /// <summary>Checks the targets and reads the input and state; returns the step that computes and writes.</summary>
    private static Func<string> Prepare(Request request)
    {
        CheckWritable(request.Output, "--output");
        if (request.StateOut is not null)
        {
            CheckWritable(request.StateOut, "--state-out");
            if (string.Equals(Path.GetFullPath(request.StateOut), Path.GetFullPath(request.Output), StringComparison.Ordinal))
            {
                throw new ArgumentException("--output and --state-out name the same file.");
            }
        }

        var array = NpyFile.Read(request.Input);
        return array.DType switch
        {
            NpyDType.Float32 => Load(array.ToFloatTensor().View, request),
            NpyDType.Float64 => Load(array.ToDoubleTensor().View, request),
            _ => throw new InvalidDataException($"{request.Input}: the input must be float32 or float64, not {array.DType}."),
        };
    }

    private static Func<string> Load<T>(TensorView<T> x, Request request)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (x.Rank < 2)
        {
            throw new ArgumentException($"{request.Input}: batch normalization needs a tensor of rank ≥ 2; it has rank {x.Rank}.");
        }

        int axis = ChannelAxis.Resolve(x.Rank, request.Config.DataFormat, request.Config.Axis);
        var state = request.StateIn is null
            ? BatchNormState<T>.Init(x.Lengths[axis], request.Config)
            : BatchNormStateFile.Load<T>(request.StateIn);
        if (request.StateIn is not null && !request.Config.AllowNonFinite)
        {
            CheckFinite(state, request.StateIn);
        }

        return () => Execute(x, state, axis, request);
    }

    /// <summary>
    /// A state file whose moving statistics are NaN or ±∞ is refused before anything is computed: normalizing with it
    /// (infer) or advancing it (train) would only carry the poison on.
    /// </summary>
    private static void CheckFinite<T>(BatchNormState<T> state, string path)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var parts = new List<(string Key, ReadOnlyVector<T> Values)>
        {
            (BatchNormStateFile.MeanKey, state.MovingMean),
            (BatchNormStateFile.VarianceKey, state.MovingVariance),
            (BatchNormStateFile.GammaKey, state.Gamma),
            (BatchNormStateFile.BetaKey, state.Beta),
        };
        if (state.Renorm is { } renorm)
        {
            parts.Add((BatchNormStateFile.RenormMeanKey, renorm.RenormMean));
            parts.Add((BatchNormStateFile.RenormStddevKey, renorm.RenormStddev));
            parts.Add((BatchNormStateFile.MovingStddevKey, renorm.MovingStddev));
        }

        foreach (var (key, values) in parts)
        {
            var bad = Enumerable.Range(0, values.Length).Where(c => !T.IsFinite(values[c])).ToArray();
            if (bad.Length > 0)
            {
                throw new InvalidDataException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{path}: '{key}' is not finite in channel(s) {string.Join(", ", bad.Take(8))}{(bad.Length > 8 ? $" and {bad.Length - 8} more" : string.Empty)} ({values[bad[0]]} in channel {bad[0]}); pass --allow-nonfinite to use it anyway."));
            }
        }
    }

    private static string Execute<T>(TensorView<T> x, BatchNormState<T> state, int axis, Request request)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var config = request.Config;
        TensorView<T> y;
        BatchNormState<T> next;
        string detail;
        if (request.Train)
        {
            BatchNormTrainResult<T> result;
            try
            {
                result = request.Session is null ? BatchNorm.Train(x, state, config) : BatchNorm.Train(x, state, config, request.Session.Exchange);
            }
            catch (NonFiniteStatisticsException e)
            {
                // Decided on the merged statistics, so under --sync mpi every rank fails here alike, whichever shard holds the values.
                string source = request.Session is { } session ? $"{request.Input} merged with the shards of all {session.Size} ranks" : request.Input;
                throw new ArgumentException($"{source}: {e.Detail}; pass --allow-nonfinite to propagate them.", e);
            }

            y = result.Output;

            // A single CLI step has no later point to apply a collected update: internal and collection both write it.
            next = result.CommittedState;
            detail = string.Create(CultureInfo.InvariantCulture, $"train: n = {result.BatchMoments.Count} per channel") + Extras(result, request);
        }
        else
        {
            y = BatchNorm.Infer(x, state, config).View;
            next = state;
            detail = "infer: moving statistics";
        }

        NpyFile.Write(
            request.Output,
            typeof(T) == typeof(float) ? NpyArray.FromTensor((TensorView<float>)(object)y) : NpyArray.FromTensor((TensorView<double>)(object)y));
        if (request.StateOut is not null)
        {
            BatchNormStateFile.Save(request.StateOut, next);
        }

        return string.Create(
            CultureInfo.InvariantCulture,
            $"{request.Output}: [{string.Join(", ", x.Lengths.ToArray())}] {typeof(T).Name}, {state.Channels} channels on axis {axis}; {detail}; step {next.Step}");
    }

    private static BatchNormConfig BuildConfig(
        string preset, string? dataFormat, int? axis, double? momentum, double? epsilon, string? ema, string? variance, bool noCenter, bool noScale)
    {
        var config = preset.Trim().ToLowerInvariant() switch
        {
            "tensorpack" => BatchNormConfig.Tensorpack,
            "pytorch" => BatchNormConfig.PyTorch,
            "keras" => BatchNormConfig.Keras,
            "flax" => BatchNormConfig.Flax,
            _ => throw new ArgumentException($"--preset '{preset}' is not one of tensorpack, pytorch, keras, flax."),
        };
        if (dataFormat is not null)
        {
            config = config with
            {
                DataFormat = DataFormats.TryParse(dataFormat, out var format)
                    ? format
                    : throw new ArgumentException($"--data-format '{dataFormat}' is not one of channels_last, channels_first, NHWC, NCHW."),
            };
        }

        if (axis is not null)
        {
            config = config with { Axis = axis };
        }

        if (momentum is not null)
        {
            config = config with { Momentum = momentum.Value };
        }

        if (epsilon is not null)
        {
            config = config with { Epsilon = epsilon.Value };
        }

        if (ema is not null)
        {
            config = config with
            {
                EmaUpdate = ToolOptions.ParseEma(ema),
            };
        }

        if (variance is not null)
        {
            config = config with
            {
                MovingVariance = variance.Trim().ToLowerInvariant() switch
                {
                    "biased" => VarianceEstimator.Biased,
                    "unbiased" => VarianceEstimator.Unbiased,
                    _ => throw new ArgumentException($"--variance '{variance}' is not one of biased, unbiased."),
                },
            };
        }

        return config with { Center = config.Center && !noCenter, Scale = config.Scale && !noScale };
    }

    /// <summary>
    /// Fails before anything is computed or written when a target cannot be written (its folder is missing or it is a
    /// folder), so one output is never left written while the other fails.
    /// </summary>
    private static void CheckWritable(string path, string option)
    {
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            throw new IOException($"{option} '{path}' is a directory.");
        }

        string? folder = Path.GetDirectoryName(full);
        if (folder is not null && !Directory.Exists(folder))
        {
            throw new IOException($"{option} '{path}': the directory '{folder}' does not exist.");
        }
    }

    /// <summary>What ghost batches, renorm and synchronization did, for the summary line.</summary>
    private static string Extras<T>(BatchNormTrainResult<T> result, Request request)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var text = new System.Text.StringBuilder();
        if (request.Session is { } session)
        {
            text.Append(CultureInfo.InvariantCulture, $" over {session.Size} ranks");
        }

        if (result.Chunks.Count > 1)
        {
            text.Append(CultureInfo.InvariantCulture, $"; {result.Chunks.Count} ghost chunks of {result.Chunks[0].Length}, EMA from {request.Config.GhostEma}");
        }

        if (request.Config.Renorm is not null)
        {
            var r = result.Chunks.SelectMany(chunk => chunk.R!).ToArray();
            var d = result.Chunks.SelectMany(chunk => chunk.D!).ToArray();
            text.Append(CultureInfo.InvariantCulture, $"; renorm r in [{r.Min():G4}, {r.Max():G4}], d in [{d.Min():G4}, {d.Max():G4}]");
        }

        return text.ToString();
    }

    private static BatchNormConfig Distributed(BatchNormConfig config, int? virtualBatchSize, string? ghostEma, string? renorm)
    {
        if (virtualBatchSize is not null)
        {
            config = config with { VirtualBatchSize = virtualBatchSize };
        }

        if (ghostEma is not null)
        {
            if (virtualBatchSize is null)
            {
                throw new ArgumentException("--ghost-ema needs --virtual-batch-size.");
            }

            config = config with
            {
                GhostEma = ghostEma.Trim().ToLowerInvariant() switch
                {
                    "first" => GhostEmaSource.FirstChunk,
                    "mean" => GhostEmaSource.MeanOfChunks,
                    "all" => GhostEmaSource.AllChunks,
                    _ => throw new ArgumentException($"--ghost-ema '{ghostEma}' is not one of first, mean, all."),
                },
            };
        }

        if (renorm is null)
        {
            return config;
        }

        try
        {
            return config with { Renorm = BatchRenorm.Parse(renorm) };
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            throw new ArgumentException($"--renorm '{renorm}': {ToolCommandLine.FirstLine(e.Message)}", e);
        }
    }

    /// <summary>Replaces <c>{rank}</c> by this process's rank (0 without MPI).</summary>
    [return: NotNullIfNotNull(nameof(path))]
    private static string? Expand(string? path, MpiSession? session) =>
        path?.Replace("{rank}", (session?.Rank ?? 0).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);

    private static bool ParseMode(string mode) => mode.Trim().ToLowerInvariant() switch
    {
        "train" => true,
        "infer" => false,
        _ => throw new ArgumentException($"--mode '{mode}' is not one of train, infer."),
    };

    private sealed record Request(string Input, string Output, string? StateIn, string? StateOut, bool Train, BatchNormConfig Config, MpiSession? Session);
}
