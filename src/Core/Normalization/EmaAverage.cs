namespace BnNative.Normalization;

/// <summary>How a moving statistic follows the batch statistics (SPEC §5). Momentum is always the TF convention.</summary>
public enum EmaAverage
{
    /// <summary>moving ← momentum·moving + (1 − momentum)·batch (TF, tensorpack, Keras, Flax).</summary>
    Exponential,

    /// <summary>PyTorch's momentum=None: moving ← moving + (batch − moving)/k at the k-th update (the arithmetic mean).</summary>
    Cumulative,

    /// <summary>
    /// Haiku's zero-debiased EMA: hidden ← momentum·hidden + (1 − momentum)·batch from hidden = 0, moving =
    /// hidden/(1 − momentum^k). The first update returns the batch value exactly. The hidden value is not stored:
    /// it is moving·(1 − momentum^k), so the state stays mean, variance and a counter.
    /// </summary>
    ZeroDebiased,
}
