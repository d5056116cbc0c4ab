using ScottPlot;

namespace BnNative.Demo;

/// <summary>
/// The demo's PNG plots (ScottPlot): loss per step with and without batch norm; the first BatchNorm layer's moving
/// mean and variance following the batch statistics; and the decision regions of both networks on the data's plane.
/// </summary>
internal static class DemoPlots
{
    private static readonly Color[] ClassColors =
    [
        Color.FromHex("#1f77b4"), Color.FromHex("#ff7f0e"), Color.FromHex("#2ca02c"), Color.FromHex("#d62728"),
        Color.FromHex("#9467bd"), Color.FromHex("#8c564b"), Color.FromHex("#e377c2"), Color.FromHex("#7f7f7f"),
    ];

    /// <summary>Null when a font is installed; otherwise why the plots will have no text (ScottPlot silently draws none).</summary>
    public static string? FontWarning() =>
        SkiaSharp.SKFontManager.Default.FontFamilyCount > 0
            ? null
            : "no font is installed, so the plots have no text; install fonts-dejavu-core (./build.sh does, as root).";

    /// <summary>Writes the plots into <paramref name="folder"/>; returns the file names written.</summary>
    public static string[] Write(string folder, DemoDataset data, TrainingRun withBn, TrainingRun plain)
    {
        var written = new List<string> { Loss(folder, withBn, plain), MovingStatistics(folder, withBn) };
        if (data.Plane is not null && data.Lift is not null)
        {
            written.Add(DecisionRegions(folder, data, withBn, plain));
        }

        return written.ToArray();
    }

    private static string Loss(string folder, TrainingRun withBn, TrainingRun plain)
    {
        var plot = new Plot();
        var steps = Enumerable.Range(1, withBn.StepLosses.Count).Select(s => (double)s).ToArray();
        var bn = plot.Add.ScatterLine(steps, Smooth(withBn.StepLosses));
        bn.LegendText = "with BatchNorm";
        bn.LineWidth = 2;
        var noBn = plot.Add.ScatterLine(steps, Smooth(plain.StepLosses));
        noBn.LegendText = "without BatchNorm";
        noBn.LineWidth = 2;
        plot.Title("Training loss (mean over 10 steps)");
        plot.XLabel("step");
        plot.YLabel("softmax cross-entropy");
        plot.ShowLegend(Alignment.UpperRight);

        // The network without batch norm starts with a spike far above the rest; the interesting range is [0, 2].
        plot.Axes.SetLimitsY(0, 2);
        plot.SavePng(Path.Combine(folder, DemoRunner.LossPlot), 900, 500);
        return DemoRunner.LossPlot;
    }

    private static string MovingStatistics(string folder, TrainingRun withBn)
    {
        var multiplot = new Multiplot();
        multiplot.AddPlots(2);
        var mean = multiplot.GetPlot(0);
        var variance = multiplot.GetPlot(1);
        for (int c = 0; c < withBn.Trace.Length; c++)
        {
            var trace = withBn.Trace[c];
            if (trace.Count == 0)
            {
                continue;
            }

            var steps = Enumerable.Range(1, trace.Count).Select(s => (double)s).ToArray();
            var color = ClassColors[c];
            var batchMean = mean.Add.Markers(steps, trace.Select(t => t.BatchMean).ToArray(), MarkerShape.FilledCircle, 3, color.WithAlpha(0.35));
            batchMean.LegendText = $"channel {c}: batch mean";
            var movingMean = mean.Add.ScatterLine(steps, trace.Select(t => t.MovingMean).ToArray(), color);
            movingMean.LineWidth = 2;
            movingMean.LegendText = $"channel {c}: moving mean";
            var batchVariance = variance.Add.Markers(steps, trace.Select(t => t.BatchVariance).ToArray(), MarkerShape.FilledCircle, 3, color.WithAlpha(0.35));
            batchVariance.LegendText = $"channel {c}: batch variance";
            var movingVariance = variance.Add.ScatterLine(steps, trace.Select(t => t.MovingVariance).ToArray(), color);
            movingVariance.LineWidth = 2;
            movingVariance.LegendText = $"channel {c}: moving variance";
        }

        mean.Title("BatchNorm layer 1: moving mean (EMA, momentum 0.9) and batch means");
        mean.XLabel("step");
        mean.YLabel("mean");
        mean.ShowLegend(Alignment.UpperRight);
        variance.Title("BatchNorm layer 1: moving variance and batch variances");
        variance.XLabel("step");
        variance.YLabel("variance");
        variance.ShowLegend(Alignment.UpperRight);
        multiplot.SavePng(Path.Combine(folder, DemoRunner.MovingStatisticsPlot), 1000, 900);
        return DemoRunner.MovingStatisticsPlot;
    }

    private static string DecisionRegions(string folder, DemoDataset data, TrainingRun withBn, TrainingRun plain)
    {
        var plane = data.Plane!;
        double minX = double.MaxValue, maxX = double.MinValue, minY = double.MaxValue, maxY = double.MinValue;
        for (int i = 0; i < data.Count; i++)
        {
            minX = Math.Min(minX, plane[2 * i]);
            maxX = Math.Max(maxX, plane[2 * i]);
            minY = Math.Min(minY, plane[(2 * i) + 1]);
            maxY = Math.Max(maxY, plane[(2 * i) + 1]);
        }

        double padX = 0.05 * (maxX - minX);
        double padY = 0.05 * (maxY - minY);
        const int grid = 120;
        var gridX = new double[grid * grid];
        var gridY = new double[grid * grid];
        var features = new float[grid * grid * data.Dimensions];
        for (int i = 0; i < grid; i++)
        {
            for (int j = 0; j < grid; j++)
            {
                int k = (i * grid) + j;
                gridX[k] = minX - padX + ((maxX - minX + (2 * padX)) * (j + 0.5) / grid);
                gridY[k] = minY - padY + ((maxY - minY + (2 * padY)) * (i + 0.5) / grid);
                data.Lift!(gridX[k], gridY[k]).CopyTo(features, k * data.Dimensions);
            }
        }

        var multiplot = new Multiplot();
        multiplot.AddPlots(2);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Columns();
        foreach (var (index, run, title) in new[] { (0, withBn, "with BatchNorm (inference mode)"), (1, plain, "without BatchNorm") })
        {
            var plot = multiplot.GetPlot(index);
            var predicted = SoftmaxCrossEntropy.Predict(run.Model.Forward(features, grid * grid, training: false), grid * grid, data.Classes);
            for (int k = 0; k < data.Classes; k++)
            {
                var cells = Enumerable.Range(0, grid * grid).Where(c => predicted[c] == k).ToArray();
                if (cells.Length > 0)
                {
                    plot.Add.Markers(cells.Select(c => gridX[c]).ToArray(), cells.Select(c => gridY[c]).ToArray(), MarkerShape.FilledSquare, 5, ClassColors[k % ClassColors.Length].WithAlpha(0.25));
                }

                var points = Enumerable.Range(0, data.Count).Where(p => data.Labels[p] == k).ToArray();
                var scatter = plot.Add.Markers(points.Select(p => plane[2 * p]).ToArray(), points.Select(p => plane[(2 * p) + 1]).ToArray(), MarkerShape.FilledCircle, 3, ClassColors[k % ClassColors.Length]);
                scatter.LegendText = $"class {k}";
            }

            double accuracy = run.Epochs[^1].TestAccuracy;
            plot.Title($"{title}: test accuracy {100 * accuracy:F1}%");
            plot.XLabel("x");
            plot.YLabel("y");
            plot.Axes.SetLimits(minX - padX, maxX + padX, minY - padY, maxY + padY);
        }

        multiplot.SavePng(Path.Combine(folder, DemoRunner.DecisionRegionsPlot), 1400, 650);
        return DemoRunner.DecisionRegionsPlot;
    }

    /// <summary>A trailing mean over 10 steps, so the curves show the trend rather than the per-batch noise.</summary>
    private static double[] Smooth(List<double> values)
    {
        var result = new double[values.Count];
        double sum = 0;
        for (int i = 0; i < values.Count; i++)
        {
            sum += values[i];
            if (i >= 10)
            {
                sum -= values[i - 10];
            }

            result[i] = sum / Math.Min(i + 1, 10);
        }

        return result;
    }
}
