using BnNative.Collections;
using BnNative.Moments;

namespace BnNative.Normalization;

/// <summary>
/// The statistics one part of a training step normalized with: the whole batch, or under ghost batch norm one chunk of
/// <see cref="BatchNormConfig.VirtualBatchSize"/> samples. With synchronized statistics the moments are the merged ones
/// of all workers.
/// </summary>
/// <param name="Start">First sample (index on axis 0) of the chunk.</param>
/// <param name="Length">Number of samples in the chunk.</param>
/// <param name="Moments">The chunk's (n, mean, M2) per channel.</param>
/// <param name="InverseStd">1/sqrt(s2 + eps) per channel (s2 biased).</param>
/// <param name="R">Batch renormalization's r per channel, in [1/rmax, rmax]; null without renorm.</param>
/// <param name="D">Batch renormalization's d per channel, in [−dmax, dmax]; null without renorm.</param>
public sealed record BatchNormChunk(
    int Start, int Length, BatchMoments Moments, ReadOnlyVector<double> InverseStd, ReadOnlyVector<double>? R, ReadOnlyVector<double>? D);
