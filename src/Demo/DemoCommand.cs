using System.CommandLine;
using BnNative.Tools;
using Spectre.Console;

namespace BnNative.Demo;

/// <summary>
/// <c>bnnative-demo</c>: trains a small MLP built from BnNative pieces with and without batch norm, on embedded spirals
/// or the user's data, on one process or data-parallel under <c>mpirun</c> (<c>--sync mpi</c>). Bad options or data:
/// exit 2 with one line on standard error.
/// </summary>
internal static class DemoCommand
{
    /// <summary>The tool's root command: its options and the action that runs the demo.</summary>
    public static RootCommand Create(TextWriter output, TextWriter error)
    {
        var epochs = new Option<int>("--epochs") { Description = "Passes over the training set.", DefaultValueFactory = _ => new DemoOptions().Epochs };
        var batchSize = new Option<int>("--batch-size") { Description = "Samples per step (global under MPI).", DefaultValueFactory = _ => new DemoOptions().BatchSize };
        var learningRate = new Option<double>("--lr") { Description = "SGD learning rate (momentum 0.9).", DefaultValueFactory = _ => new DemoOptions().LearningRate };
        var virtualBatchSize = new Option<int?>("--virtual-batch-size") { Description = "Ghost batch norm: normalize chunks of V samples; V must divide the batch size." };
        var ema = new Option<string>("--ema") { Description = "internal | collection | skip: how the moving statistics advance.", DefaultValueFactory = _ => "collection" };
        var seed = new Option<int>("--seed") { Description = "Seed of the data, split, weights and batch order.", DefaultValueFactory = _ => 1 };
        var outFolder = new Option<string>("--out") { Description = "Folder for the plots, state files and models.", DefaultValueFactory = _ => "bnnative-demo" };
        var data = new Option<string?>("--data") { Description = "Train on this feature file instead (.npy [samples, features] or .csv)." };
        var labels = new Option<string?>("--labels") { Description = "Labels for --data (.npy, integers 0..K-1)." };
        var sync = new Option<string>("--sync") { Description = "none | mpi: data-parallel training over the ranks of an mpirun job (SyncBN).", DefaultValueFactory = _ => "none" };
        var noPlots = new Option<bool>("--no-plots") { Description = "Skip the PNG plots." };
        var command = new RootCommand("bnnative-demo: train a small MLP with and without BatchNorm and compare them.")
        {
            epochs, batchSize, learningRate, virtualBatchSize, ema, seed, outFolder, data, labels, sync, noPlots,
        };
        command.SetAction(parsed => new ToolInvocation("bnnative-demo", error).Run(invocation =>
        {
            var options = new DemoOptions
            {
                Epochs = Positive(parsed.GetValue(epochs), "--epochs"),
                BatchSize = Positive(parsed.GetValue(batchSize), "--batch-size"),
                LearningRate = parsed.GetValue(learningRate) is > 0 and < double.PositiveInfinity and var lr
                    ? lr : throw new ArgumentException($"--lr must be a positive number; got {parsed.GetValue(learningRate)}."),
                VirtualBatchSize = parsed.GetValue(virtualBatchSize),
                Ema = ToolOptions.ParseEma(parsed.GetValue(ema)!),
                Seed = parsed.GetValue(seed),
                Out = parsed.GetValue(outFolder)!,
                Data = parsed.GetValue(data),
                Labels = parsed.GetValue(labels),
                Plots = !parsed.GetValue(noPlots),
            };
            if ((options.Data is null) != (options.Labels is null))
            {
                throw new ArgumentException("--data and --labels go together.");
            }

            if (options.VirtualBatchSize is { } v && (v < 1 || options.BatchSize % v != 0))
            {
                throw new ArgumentException($"--virtual-batch-size {v} does not divide --batch-size {options.BatchSize}.");
            }

            bool mpi = ToolOptions.ParseSync(parsed.GetValue(sync)!);
            if (mpi && options.VirtualBatchSize is not null)
            {
                throw new ArgumentException("--virtual-batch-size cannot be combined with --sync mpi (ghost batches and synchronized statistics exclude each other).");
            }

            var session = invocation.StartMpi(mpi);
            if (session is not null && options.BatchSize < 2 * session.Size)
            {
                throw new ArgumentException($"--batch-size {options.BatchSize} is too small to split over {session.Size} ranks.");
            }

            // Under MPI the ranks agree that every one of them loaded the data before training starts.
            if (!invocation.TryPrepare(() => DemoRunner.Prepare(options), out var dataset))
            {
                return DemoApp.BadInput;
            }

            // mpirun forwards rank output through a pseudo-terminal: keep it plain text there (no live progress, no colors).
            var console = CreateConsole(session is { Rank: not 0 } ? TextWriter.Null : output, allowTerminal: session is null);
            DemoRunner.Run(dataset!, options, console, session?.Exchange);
            return 0;
        }));
        return command;
    }

    private static int Positive(int value, string option) =>
        value >= 1 ? value : throw new ArgumentException($"{option} must be ≥ 1; got {value}.");

    /// <summary>An interactive console (live progress bar, colors) on a terminal; plain text when redirected or captured.</summary>
    private static IAnsiConsole CreateConsole(TextWriter output, bool allowTerminal)
    {
        bool terminal = allowTerminal && ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Yes : InteractionSupport.No,
        });
        if (!terminal)
        {
            // Captured output (CI logs, files, tests) has no terminal width; wide enough for the epoch table.
            console.Profile.Width = 110;
        }

        return console;
    }
}
