using System.Diagnostics;
using System.Globalization;
using BnNative.IO;
using BnNative.Normalization;
using BnNative.Sync;
using Spectre.Console;

namespace BnNative.Demo;

/// <summary>
/// What <c>bnnative-demo</c> does once its options are parsed: trains the same MLP with and without batch norm, reports
/// per-epoch numbers and the final accuracies, saves the BN states (tensorpack names) and reloads them to check that
/// inference reproduces the accuracy, and draws the plots. Under MPI every rank trains; rank 0 alone reports and writes.
/// </summary>
internal static class DemoRunner
{
    /// <summary>File names in the output folder.</summary>
    public const string LossPlot = "loss.png";

    public const string MovingStatisticsPlot = "moving-statistics.png";

    public const string DecisionRegionsPlot = "decision-regions.png";

    public const string BatchNormModel = "model-bn.npz";

    public const string PlainModel = "model-plain.npz";

    /// <summary>The per-epoch numbers of both networks as CSV (the epoch table, unrounded).</summary>
    public const string History = "history.csv";

    /// <summary>The header of <see cref="History"/>.</summary>
    public const string HistoryHeader = "epoch,bn_loss,bn_train_accuracy,bn_test_accuracy,plain_loss,plain_train_accuracy,plain_test_accuracy";

    /// <summary>The name of BatchNorm layer <paramref name="layer"/>'s state file (1-based).</summary>
    public static string StateFile(int layer) => string.Create(CultureInfo.InvariantCulture, $"bn{layer}.npz");

    /// <summary>Loads (or generates) the data and checks the options against it; every error here is bad input.</summary>
    public static DemoDataset Prepare(DemoOptions options)
    {
        var data = options.Data is null ? DemoDataset.Spirals(options.Seed) : DemoDataset.Load(options.Data, options.Labels!);
        int trainRows = data.Count - data.Split(options.Seed).Test.Length;
        if (trainRows < options.BatchSize)
        {
            throw new ArgumentException(string.Create(
                CultureInfo.InvariantCulture, $"--batch-size {options.BatchSize} is larger than the {trainRows} training samples."));
        }

        if (string.IsNullOrWhiteSpace(options.Out))
        {
            throw new ArgumentException("--out must name a folder.");
        }

        // Fail before training when the folder cannot be created: it, or a folder on its path, is an existing file.
        for (string? folder = Path.GetFullPath(options.Out); folder is not null && !Directory.Exists(folder); folder = Path.GetDirectoryName(folder))
        {
            if (File.Exists(folder))
            {
                throw new IOException(folder == Path.GetFullPath(options.Out)
                    ? $"--out '{options.Out}' is a file, not a folder."
                    : $"--out '{options.Out}': '{folder}' is a file, so the folder cannot be created.");
            }
        }

        return data;
    }

    /// <summary>Runs the demo; returns the summary numbers (for tests).</summary>
    public static DemoSummary Run(DemoDataset data, DemoOptions options, IAnsiConsole console, IStatisticsExchange? sync)
    {
        bool lead = sync is null || sync.Rank == 0;
        var clock = Stopwatch.StartNew();
        var gemm = MatrixMultiply.Create();
        var (train, test) = data.Split(options.Seed);
        if (lead)
        {
            console.MarkupLine($"[bold]bnnative-demo[/]: {Markup.Escape(data.Name)}");
            console.MarkupLine(Markup.Escape($"Matrix products: {gemm.Description}"));
            console.MarkupLine(Markup.Escape(string.Create(
                CultureInfo.InvariantCulture,
                $"MLP {data.Dimensions} → {string.Join(" → ", options.Hidden)} → {data.Classes}, ReLU, softmax cross-entropy; SGD lr {options.LearningRate}, momentum {options.Momentum}; "
                + $"{options.Epochs} epochs of {train.Length / options.BatchSize} steps × {options.BatchSize} samples; {test.Length} test samples; seed {options.Seed}")));
            console.MarkupLine(Markup.Escape(
                $"BatchNorm: EMA {options.Ema.ToString().ToLowerInvariant()}, momentum 0.9, epsilon 1e-5"
                + (options.VirtualBatchSize is { } v ? string.Create(CultureInfo.InvariantCulture, $", ghost batches of {v}") : string.Empty)
                + (sync is null ? string.Empty : string.Create(CultureInfo.InvariantCulture, $"; data-parallel over {sync.Size} MPI ranks, SyncBN"))));
        }

        TrainingRun withBn = null!;
        TrainingRun plain = null!;
        void TrainBoth(Action<double>? bnProgress, Action<double>? plainProgress)
        {
            withBn = DemoTrainer.Train(data, train, test, options, batchNorm: true, gemm, sync, bnProgress);
            plain = DemoTrainer.Train(data, train, test, options, batchNorm: false, gemm, sync, plainProgress);
        }

        if (lead && console.Profile.Capabilities.Interactive)
        {
            console.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .Start(context =>
                {
                    var bnTask = context.AddTask("with BatchNorm", maxValue: 1);
                    var plainTask = context.AddTask("without BatchNorm", maxValue: 1);
                    TrainBoth(f => bnTask.Value = f, f => plainTask.Value = f);
                });
        }
        else
        {
            // Captured output gets no live bar (it would print stray partial states), just the two phases.
            if (lead)
            {
                console.MarkupLine("Training with BatchNorm, then without…");
            }

            TrainBoth(null, null);
        }

        var testX = data.Gather(test);
        var testLabels = test.Select(i => data.Labels[i]).ToArray();
        var summary = new DemoSummary(
            InferenceAccuracy: DemoTrainer.Accuracy(withBn.Model, testX, testLabels, training: false),
            TrainingModeAccuracy: DemoTrainer.Accuracy(withBn.Model, testX, testLabels, training: true),
            PlainAccuracy: DemoTrainer.Accuracy(plain.Model, testX, testLabels, training: false),
            ReloadedAccuracy: double.NaN,
            ReloadedPredictionsEqual: false,
            OutputFolder: Path.GetFullPath(options.Out),
            WithBatchNorm: withBn,
            Plain: plain);
        if (!lead)
        {
            return summary;
        }

        console.Write(EpochTable(withBn, plain));
        Directory.CreateDirectory(summary.OutputFolder);
        var states = withBn.Model.States;
        for (int l = 0; l < states.Count; l++)
        {
            BatchNormStateFile.Save(Path.Combine(summary.OutputFolder, StateFile(l + 1)), states[l]);
        }

        ModelFile.Save(Path.Combine(summary.OutputFolder, BatchNormModel), withBn.Model);
        ModelFile.Save(Path.Combine(summary.OutputFolder, PlainModel), plain.Model);
        WriteHistory(Path.Combine(summary.OutputFolder, History), withBn, plain);
        var (reloadedAccuracy, same) = Reload(data, options, gemm, summary.OutputFolder, testX, testLabels, withBn.Model);
        summary = summary with { ReloadedAccuracy = reloadedAccuracy, ReloadedPredictionsEqual = same };

        var plots = options.Plots ? DemoPlots.Write(summary.OutputFolder, data, withBn, plain) : [];
        if (options.Plots && DemoPlots.FontWarning() is { } warning)
        {
            console.MarkupLine(Markup.Escape($"Warning: {warning}"));
        }

        var results = new Table().Border(TableBorder.Rounded).Title("Test accuracy")
            .AddColumn("Network").AddColumn(new TableColumn("Accuracy").RightAligned());
        results.AddRow("with BatchNorm, inference mode (moving statistics)", Percent(summary.InferenceAccuracy));
        results.AddRow("with BatchNorm, training mode (test-set batch statistics)", Percent(summary.TrainingModeAccuracy));
        results.AddRow($"with BatchNorm, reloaded from {string.Join(", ", Enumerable.Range(1, states.Count).Select(StateFile))}", Percent(summary.ReloadedAccuracy));
        results.AddRow("without BatchNorm", Percent(summary.PlainAccuracy));
        console.Write(results);
        console.MarkupLine(Markup.Escape(
            $"Reloaded states reproduce the inference predictions: {(same ? "yes, every one" : "NO")}."));
        var files = Enumerable.Range(1, states.Count).Select(StateFile).Concat([BatchNormModel, PlainModel, History]).Concat(plots);
        console.MarkupLine(Markup.Escape($"Wrote to {summary.OutputFolder}: {string.Join(", ", files)}"));
        console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"Done in {clock.Elapsed.TotalSeconds:F1} s.")));
        return summary;
    }

    private static (double Accuracy, bool SamePredictions) Reload(
        DemoDataset data, DemoOptions options, MatrixMultiply gemm, string folder, float[] testX, int[] testLabels, Mlp<float> trained)
    {
        int[] widths = [data.Dimensions, .. options.Hidden, data.Classes];
        var fresh = new Mlp<float>(widths, options.BatchNorm, gemm, new Random(0));
        ModelFile.Load(Path.Combine(folder, BatchNormModel), fresh);
        fresh.LoadStates(Enumerable.Range(1, options.Hidden.Length).Select(l => BatchNormStateFile.Load<float>(Path.Combine(folder, StateFile(l)))).ToArray());
        var expected = SoftmaxCrossEntropy.Predict(trained.Forward(testX, testLabels.Length, false), testLabels.Length, data.Classes);
        var actual = SoftmaxCrossEntropy.Predict(fresh.Forward(testX, testLabels.Length, false), testLabels.Length, data.Classes);
        return (DemoTrainer.Accuracy(fresh, testX, testLabels, training: false), expected.SequenceEqual(actual));
    }

    /// <summary>Writes the per-epoch numbers (round-trip precision, invariant culture) atomically.</summary>
    private static void WriteHistory(string path, TrainingRun withBn, TrainingRun plain)
    {
        var text = new System.Text.StringBuilder(HistoryHeader).Append('\n');
        for (int e = 0; e < withBn.Epochs.Count; e++)
        {
            var a = withBn.Epochs[e];
            var b = plain.Epochs[e];
            text.Append(string.Join(',', new[] { a.Loss, a.TrainAccuracy, a.TestAccuracy, b.Loss, b.TrainAccuracy, b.TestAccuracy }
                .Select(v => v.ToString("R", CultureInfo.InvariantCulture))
                .Prepend(a.Epoch.ToString(CultureInfo.InvariantCulture)))).Append('\n');
        }

        // Temp file and rename, as the library writes its .npy/.npz files: a reader never sees half a history.
        string temporary = path + ".tmp";
        File.WriteAllText(temporary, text.ToString());
        File.Move(temporary, path, overwrite: true);
    }

    private static Table EpochTable(TrainingRun withBn, TrainingRun plain)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("Per epoch (training loss and accuracy in training mode; test accuracy in inference mode)");
        table.AddColumn(new TableColumn("Epoch").RightAligned());
        foreach (var name in new[] { "BN loss", "BN train acc", "BN test acc", "plain loss", "plain train acc", "plain test acc" })
        {
            table.AddColumn(new TableColumn(name).RightAligned());
        }

        for (int e = 0; e < withBn.Epochs.Count; e++)
        {
            var a = withBn.Epochs[e];
            var b = plain.Epochs[e];
            table.AddRow(
                a.Epoch.ToString(CultureInfo.InvariantCulture), Number(a.Loss), Percent(a.TrainAccuracy), Percent(a.TestAccuracy),
                Number(b.Loss), Percent(b.TrainAccuracy), Percent(b.TestAccuracy));
        }

        return table;
    }

    private static string Number(double value) => value.ToString("F4", CultureInfo.InvariantCulture);

    private static string Percent(double value) => double.IsNaN(value) ? "-" : (100 * value).ToString("F1", CultureInfo.InvariantCulture) + "%";
}

/// <summary>The demo's outcome.</summary>
internal sealed record DemoSummary(
    double InferenceAccuracy, double TrainingModeAccuracy, double PlainAccuracy, double ReloadedAccuracy, bool ReloadedPredictionsEqual,
    string OutputFolder, TrainingRun WithBatchNorm, TrainingRun Plain);
