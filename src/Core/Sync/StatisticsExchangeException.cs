namespace BnNative.Sync;

/// <summary>
/// A synchronized-statistics exchange failed: the workers disagree on channel count or element type, another worker
/// failed, or the exchange timed out. Every worker of the exchange gets one, so none waits forever.
/// </summary>
public sealed class StatisticsExchangeException : Exception
{
    /// <summary>Creates the exception.</summary>
    public StatisticsExchangeException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public StatisticsExchangeException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the failure that caused it.</summary>
    public StatisticsExchangeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
