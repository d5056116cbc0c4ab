namespace BnNative.Normalization;

/// <summary>
/// A training step's batch statistics or next state are not finite (SPEC §10): the input holds NaN or ±∞, or values so
/// large that the variance overflows the element type (statistics are accumulated in double, so for float32 the
/// overflow shows when they would be stored), or the incoming state is already non-finite. Thrown, with
/// <see cref="ArgumentException.ParamName"/> <c>x</c>, before anything is written to the destination, unless
/// <see cref="BatchNormConfig.AllowNonFinite"/> is set. Under synchronized statistics the check runs on the merged
/// statistics, so every worker throws it alike.
/// </summary>
public sealed class NonFiniteStatisticsException : ArgumentException
{
    /// <summary>Creates the exception with a generic message and no details.</summary>
    public NonFiniteStatisticsException()
        : this("A training step's statistics are not finite.")
    {
    }

    /// <summary>Creates the exception with a message and no details.</summary>
    public NonFiniteStatisticsException(string message)
        : base(message)
    {
        Detail = message;
    }

    /// <summary>Creates the exception with a message, the underlying failure and no details.</summary>
    public NonFiniteStatisticsException(string message, Exception innerException)
        : base(message, innerException)
    {
        Detail = message;
    }

    internal NonFiniteStatisticsException(string detail, string advice, IReadOnlyList<NonFiniteStatistic> statistics, string paramName)
        : base($"{detail}; {advice}", paramName)
    {
        Detail = detail;
        Statistics = statistics;
        Channels = statistics.Select(s => s.Channel).Distinct().Order().ToArray();
    }

    /// <summary>The channels with at least one offending value, ascending, each once.</summary>
    public IReadOnlyList<int> Channels { get; } = [];

    /// <summary>Every offending value, by chunk, then channel, then quantity (batch mean before batch variance and so on).</summary>
    public IReadOnlyList<NonFiniteStatistic> Statistics { get; } = [];

    /// <summary>
    /// The message without the advice on how to opt out (which names <see cref="BatchNormConfig.AllowNonFinite"/>), for
    /// callers such as the command line that offer the opt-out under another name.
    /// </summary>
    public string Detail { get; }
}
