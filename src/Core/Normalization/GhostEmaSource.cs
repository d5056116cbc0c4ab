namespace BnNative.Normalization;

/// <summary>
/// Which statistics feed the moving averages when ghost batch norm splits a batch into chunks
/// (<see cref="BatchNormConfig.VirtualBatchSize"/>, SPEC §6).
/// </summary>
public enum GhostEmaSource
{
    /// <summary>The first chunk only (tensorpack). The default.</summary>
    FirstChunk,

    /// <summary>
    /// The mean of the chunk means and the mean of the chunk variances, each chunk's variance with the configured
    /// estimator (Keras). This omits the variance between chunks.
    /// </summary>
    MeanOfChunks,

    /// <summary>All chunks merged exactly (Chan): the full batch's statistics.</summary>
    AllChunks,
}
