using BnNative.Sync;

namespace BnNative.Demo;

/// <summary>
/// The demo's training loop: mini-batch SGD with momentum on softmax cross-entropy, the moving statistics advanced after
/// every step. Under an exchange (data parallelism) every worker takes its contiguous share of each global batch, the
/// BatchNorm statistics and gradients are synchronized, and the dense gradients are summed, so every worker applies
/// the same update as one process on the whole batch.
/// </summary>
internal static class DemoTrainer
{
    /// <summary>Trains one network (with or without batch norm) and records loss, accuracy and the moving-statistics trace.</summary>
    /// <param name="data">The data set.</param>
    /// <param name="train">Training rows.</param>
    /// <param name="test">Test rows.</param>
    /// <param name="options">Epochs, batch size, learning rate, EMA mode, seed.</param>
    /// <param name="batchNorm">Whether the hidden layers have batch norm.</param>
    /// <param name="gemm">What multiplies matrices.</param>
    /// <param name="sync">The exchange of a data-parallel run, or null.</param>
    /// <param name="progress">Called after every step with the fraction done.</param>
    public static TrainingRun Train(
        DemoDataset data, int[] train, int[] test, DemoOptions options, bool batchNorm, MatrixMultiply gemm, IStatisticsExchange? sync,
        Action<double>? progress = null)
    {
        int[] widths = [data.Dimensions, .. options.Hidden, data.Classes];
        var model = new Mlp<float>(widths, batchNorm ? options.BatchNorm : null, gemm, new Random(options.Seed + 1));
        var run = new TrainingRun(model);
        var optimizer = new SgdMomentum(options.LearningRate, options.Momentum);
        int batch = options.BatchSize;
        int steps = train.Length / batch;
        int rank = sync?.Rank ?? 0;
        int workers = sync?.Size ?? 1;
        var testX = data.Gather(test);
        var testLabels = test.Select(i => data.Labels[i]).ToArray();
        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            var order = (int[])train.Clone();
            new Random((options.Seed * 7919) + epoch).Shuffle(order);
            double lossSum = 0;
            double correct = 0;
            for (int s = 0; s < steps; s++)
            {
                int start = (s * batch) + (batch * rank / workers);
                int count = (s * batch) + (batch * (rank + 1) / workers) - start;
                var rows = order.AsSpan(start, count);
                var x = data.Gather(rows);
                var labels = rows.ToArray().Select(i => data.Labels[i]).ToArray();
                var logits = model.Forward(x, count, training: true, sync);
                var logitGradient = new float[logits.Length];
                var (loss, hits) = SoftmaxCrossEntropy.Evaluate(logits, count, data.Classes, labels, 1.0 / batch, logitGradient);
                model.Backward(logitGradient, sync);
                optimizer.Step(model.Parameters);
                model.CommitMovingStatistics();

                double[] totals = [loss, hits];
                sync?.AllSum(totals);
                lossSum += totals[0];
                correct += totals[1];
                run.StepLosses.Add(totals[0] / batch);
                Record(run, model);
                progress?.Invoke(((epoch - 1) * steps + s + 1) / (double)(options.Epochs * steps));
            }

            run.Epochs.Add(new EpochRecord(epoch, lossSum / (steps * batch), correct / (steps * batch), Accuracy(model, testX, testLabels, training: false)));
        }

        return run;
    }

    /// <summary>Accuracy on a set in one forward pass: inference mode (moving statistics) or training mode (the set's own batch statistics).</summary>
    /// <remarks>
    /// With ghost batches, training mode normalizes each chunk of V rows with its own statistics, as training does; a
    /// final remainder of fewer than V rows is normalized as one batch of its own.
    /// </remarks>
    public static double Accuracy(Mlp<float> model, float[] x, int[] labels, bool training)
    {
        int rows = labels.Length;
        int chunked = training && model.BatchNormConfig?.VirtualBatchSize is { } v ? rows / v * v : rows;
        var logits = chunked == 0 ? [] : model.Forward(x[..(chunked * model.Inputs)], chunked, training);
        if (chunked < rows)
        {
            logits = [.. logits, .. model.Forward(x[(chunked * model.Inputs)..], rows - chunked, training, wholeBatch: true)];
        }

        var predictions = SoftmaxCrossEntropy.Predict(logits, rows, model.Classes);
        return predictions.Zip(labels).Count(pair => pair.First == pair.Second) / (double)rows;
    }

    private static void Record(TrainingRun run, Mlp<float> model)
    {
        if (model.LastSteps.Count == 0 || model.LastSteps[0] is not { } step)
        {
            return;
        }

        var state = model.States[0];
        var variance = step.BatchMoments.Variance();
        for (int c = 0; c < run.Trace.Length && c < state.Channels; c++)
        {
            run.Trace[c].Add((step.BatchMoments.Mean[c], state.MovingMean[c], variance[c], state.MovingVariance[c]));
        }
    }
}
