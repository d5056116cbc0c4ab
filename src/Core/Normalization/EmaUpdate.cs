namespace BnNative.Normalization;

/// <summary>When a training step's moving-statistics update takes effect (tensorpack's <c>ema_update</c>, SPEC §5).</summary>
public enum EmaUpdate
{
    /// <summary>
    /// tensorpack's "collection" (and "default"): the step returns the state unchanged plus a pending
    /// <see cref="EmaTransition"/>; applying it later gives exactly what <see cref="Internal"/> gives.
    /// </summary>
    Collection,

    /// <summary>The step returns a state whose moving statistics are already updated.</summary>
    Internal,

    /// <summary>The moving statistics stay as they are; the step still normalizes with the batch statistics.</summary>
    Skip,
}
