namespace BnNative.Sync;

/// <summary>Collectives built on <see cref="IStatisticsExchange.AllGather"/>, for callers that synchronize more than batch norm (for example data-parallel gradients).</summary>
public static class StatisticsExchangeExtensions
{
    /// <summary>
    /// Collective: replaces <paramref name="values"/> on every worker by the sum over all workers, added in rank order,
    /// so the result is bitwise identical everywhere.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="exchange"/> is null.</exception>
    /// <exception cref="StatisticsExchangeException">Another worker failed.</exception>
    public static void AllSum(this IStatisticsExchange exchange, Span<double> values)
    {
        ArgumentNullException.ThrowIfNull(exchange);
        SyncStatistics.AllSum(exchange, values);
    }
}
