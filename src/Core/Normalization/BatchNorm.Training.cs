using System.Numerics;
using System.Runtime.CompilerServices;
using BnNative.Kernels;
using BnNative.Moments;
using BnNative.Sync;
using BnNative.Tensors;

namespace BnNative.Normalization;

/// <summary>
/// Batch normalization as pure functions (SPEC §4, §5, §9): a training step maps (input, state, config) to (output,
/// next state, batch statistics) and never modifies its arguments; inference and both backward passes likewise.
/// float and double throughout; the output has the input's element type.
/// </summary>
public static partial class BatchNorm
{
    /// <summary>
    /// One training step: normalizes with the batch statistics, y = gamma·(x − mu)/sqrt(s2 + eps) + beta (s2 biased),
    /// and produces the moving-statistics update per <see cref="BatchNormConfig.EmaUpdate"/>.
    /// </summary>
    /// <param name="x">Input, rank ≥ 2, any strides.</param>
    /// <param name="state">Current state; its channel count must match the input's channel axis.</param>
    /// <param name="config">Settings; null for tensorpack's defaults.</param>
    /// <returns>A new row-major output plus the next state, the batch moments and the pending transition.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="x"/> or <paramref name="state"/> is null.</exception>
    /// <exception cref="ArgumentException">Bad rank, empty reduction, n &lt; 2 with an unbiased moving variance, non-finite
    /// values under <see cref="BatchNormConfig.CheckFinite"/> (<c>x</c>), or a channel count that differs from the state (<c>state</c>).</exception>
    /// <exception cref="NonFiniteStatisticsException">Unless <see cref="BatchNormConfig.AllowNonFinite"/>: a batch mean or
    /// variance (of any ghost chunk) is NaN, ±∞ or too large for <typeparamref name="T"/>, or so is a derived factor (inverse
    /// std, renorm r and d), or, with internal or collection updates, the next moving statistics would be (<c>x</c>). Checked
    /// on the C per-channel values before anything is written.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The configured axis is out of range.</exception>
    public static BatchNormTrainResult<T> Train<T>(TensorView<T> x, BatchNormState<T> state, BatchNormConfig? config = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        return Train(x, state, config, Tensor<T>.Zeros(x.Lengths).View);
    }

    /// <summary>Like <see cref="Train{T}(TensorView{T}, BatchNormState{T}, BatchNormConfig)"/>, writing the output into <paramref name="destination"/>.</summary>
    /// <param name="x">Input.</param>
    /// <param name="state">Current state.</param>
    /// <param name="config">Settings; null for tensorpack's defaults.</param>
    /// <param name="destination">Output view with the input's lengths (any strides); must not overlap <paramref name="x"/>.</param>
    /// <exception cref="ArgumentException">As the allocating overload, and <paramref name="destination"/> lengths differ.</exception>
    /// <exception cref="NonFiniteStatisticsException">As the allocating overload; <paramref name="destination"/> is then left untouched.</exception>
    public static BatchNormTrainResult<T> Train<T>(TensorView<T> x, BatchNormState<T> state, BatchNormConfig? config, TensorView<T> destination)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        TrainCore(x, state, config ?? BatchNormConfig.Tensorpack, destination, null);

    private static BatchNormTrainResult<T> TrainCore<T>(
        TensorView<T> x, BatchNormState<T> state, BatchNormConfig config, TensorView<T> destination, IStatisticsExchange? sync)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int axis;
        int chunkLength;
        BatchMoments[] local;
        try
        {
            axis = Validate(x, state, config, allowEmpty: sync is not null);
            CheckSameLengths(x, destination, nameof(destination));
            chunkLength = ChunkLength(x, axis, config, sync);
            local = new BatchMoments[x.Lengths[0] == 0 ? 1 : x.Lengths[0] / chunkLength];
            for (int k = 0; k < local.Length; k++)
            {
                var part = local.Length == 1 ? x : x.Slice(0, k * chunkLength, chunkLength);
                local[k] = part.ElementCount == 0 ? BatchMoments.Empty(state.Channels) : config.Moments.Compute(part, axis, config.Threads);
            }
        }
        catch (Exception ex) when (LocalPhase.FailPeers(sync, ex))
        {
            throw LocalPhase.Unreachable();
        }

        var moments = local;
        if (sync is not null)
        {
            SyncStatistics.Agree(sync, state.Channels, Unsafe.SizeOf<T>());
            moments = [SyncStatistics.AllMerge(sync, local[0])];
        }

        var merged = moments.Length == 1 ? moments[0] : BatchMoments.Merge(moments);
        CheckCounts(x, config, moments, merged);
        var chunks = new BatchNormChunk[moments.Length];
        for (int k = 0; k < chunks.Length; k++)
        {
            chunks[k] = ChunkStatistics(moments[k], k * chunkLength, chunks.Length == 1 ? x.Lengths[0] : chunkLength, state, config);
        }

        // Every check below reads C values per chunk, after the exchange: all workers see the same numbers and throw
        // alike, so none is left waiting, and nothing has been written to the destination yet.
        if (!config.AllowNonFinite)
        {
            FiniteStatistics.CheckChunks(x, axis, chunks);
        }

        EmaTransition? transition = config.EmaUpdate == EmaUpdate.Skip ? null
            : chunks.Length == 1 || config.GhostEma == GhostEmaSource.AllChunks ? EmaTransition.From(merged, config, x.Rank)
            : config.GhostEma == GhostEmaSource.FirstChunk ? EmaTransition.From(moments[0], config, x.Rank)
            : EmaTransition.MeanOf(moments, config, x.Rank);
        var next = config.EmaUpdate == EmaUpdate.Internal ? transition!.Apply(state) : state;
        var pending = config.EmaUpdate == EmaUpdate.Collection ? transition : null;
        if (!config.AllowNonFinite && transition is not null && state.Step < long.MaxValue)
        {
            // Collection mode: the state the pending transition would give, so that a later Apply cannot poison it either.
            FiniteStatistics.CheckState(x, axis, BatchNormTrainResult<T>.Commit(next, pending));
        }

        int channels = state.Channels;
        using var table = new CoefficientTable<T>(channels, NormalizeOperator<T>.Coefficients);
        var highs = table.Row(0);
        var scales = table.Row(1);
        var offsets = table.Row(2);
        var gammas = state.Gamma.AsSpan();
        var betas = state.Beta.AsSpan();
        foreach (var chunk in chunks)
        {
            var xs = chunks.Length == 1 ? x : x.Slice(0, chunk.Start, chunk.Length);
            var ys = chunks.Length == 1 ? destination : destination.Slice(0, chunk.Start, chunk.Length);
            if (chunk.R is null && chunk.D is null)
            {
                NormalizeWithBatch(xs, ys, axis, table, chunk.Moments.Mean.AsSpan(), chunk.InverseStd.AsSpan(), gammas, betas, config);
            }
            else
            {
                FillRenorm(highs, scales, offsets, chunk, gammas, betas, config);
                table.Seal();
                ChannelKernels.Normalize(xs, ys, axis, table, config.WorkerThreads);
            }
        }

        return new BatchNormTrainResult<T>(destination, next, merged, pending, x, axis, config, state, chunks, sync);
    }

    /// <summary>
    /// y = gamma·(x − mean)·inverseStd + beta over one chunk: fills <paramref name="table"/> and runs the normalize pass.
    /// Shared by the record step and <see cref="BatchNormLayer{T}"/>, so both give the same bits.
    /// </summary>
    internal static void NormalizeWithBatch<T>(
        TensorView<T> x, TensorView<T> destination, int axis, in CoefficientTable<T> table, ReadOnlySpan<double> mean,
        ReadOnlySpan<double> inverseStd, ReadOnlySpan<T> gammas, ReadOnlySpan<T> betas, BatchNormConfig config)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        NormalizeOperator<T>.Fill(table.Row(0), table.Row(1), table.Row(2), mean, inverseStd, gammas, betas, config.Scale, config.Center);
        table.Seal();
        ChannelKernels.Normalize(x, destination, axis, table, config.WorkerThreads);
    }

    /// <summary>Normalize coefficients with batch renormalization's r and d (SPEC §8): scale = gamma·r·inverseStd, offset = gamma·d + beta.</summary>
    private static void FillRenorm<T>(
        Span<T> highs, Span<T> scales, Span<T> offsets, BatchNormChunk chunk, ReadOnlySpan<T> gammas, ReadOnlySpan<T> betas, BatchNormConfig config)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var means = chunk.Moments.Mean.AsSpan();
        var inverseStd = chunk.InverseStd.AsSpan();
        var r = chunk.R is null ? default : chunk.R.AsSpan();
        var d = chunk.D is null ? default : chunk.D.AsSpan();
        for (int c = 0; c < means.Length; c++)
        {
            double gamma = config.Scale ? double.CreateTruncating(gammas[c]) : 1;
            double beta = config.Center ? double.CreateTruncating(betas[c]) : 0;
            NormalizeOperator<T>.Set(
                highs, scales, offsets, c, means[c], gamma * (r.IsEmpty ? 1 : r[c]) * inverseStd[c], d.IsEmpty ? beta : (gamma * d[c]) + beta);
        }
    }

    /// <summary>The number of samples normalized together: the virtual batch size, or the whole batch.</summary>
    private static int ChunkLength<T>(TensorView<T> x, int axis, BatchNormConfig config, IStatisticsExchange? sync)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (config.VirtualBatchSize is not { } virtualBatchSize)
        {
            return Math.Max(x.Lengths[0], 1);
        }

        if (sync is not null)
        {
            throw new ArgumentException(
                $"Ghost batch norm (VirtualBatchSize {virtualBatchSize}) cannot be combined with synchronized statistics; set one of them.", nameof(config));
        }

        if (axis == 0)
        {
            throw new ArgumentException(
                "Ghost batch norm splits axis 0 (the batch) into chunks, but the channel axis is 0.", nameof(config));
        }

        int batch = x.Lengths[0];
        if (batch % virtualBatchSize != 0)
        {
            throw new ArgumentException(
                $"virtualBatchSize {virtualBatchSize} does not divide the batch size {batch} (axis 0 of x [{string.Join(", ", x.Lengths.ToArray())}]).", nameof(x));
        }

        return virtualBatchSize;
    }

    /// <summary>Count checks that need the (possibly global) moments: n = 0 overall, n &lt; 2 with an unbiased moving variance.</summary>
    private static void CheckCounts<T>(TensorView<T> x, BatchNormConfig config, BatchMoments[] moments, BatchMoments merged)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (merged.Count == 0)
        {
            throw new ArgumentException($"Empty reduction: x {x.Shape} has no elements on any worker.", nameof(x));
        }

        if (config.EmaUpdate == EmaUpdate.Skip || config.Renorm is not null || config.MovingVarianceFor(x.Rank) != VarianceEstimator.Unbiased)
        {
            return;
        }

        long n = moments.Length == 1 || config.GhostEma == GhostEmaSource.AllChunks ? merged.Count : moments[0].Count;
        if (n < 2)
        {
            string what = moments.Length == 1 ? "the batch" : "each ghost chunk";
            throw new ArgumentException(
                $"The unbiased moving variance needs n ≥ 2 elements per channel; {what} of x {x.Shape} has n = {n}.", nameof(x));
        }
    }
}
