namespace BnNative.Sync;

/// <summary>
/// The part of a synchronized operation a worker does on its own before its first collective (validating its input,
/// computing its local moments). The other workers are then already waiting, or will be, in the exchange; when this part
/// throws they are told with <see cref="IStatisticsExchange.Fail"/> before the exception reaches the caller, so none of them
/// waits for a worker that will never arrive. Without an exchange the work simply runs.
/// </summary>
internal static class LocalPhase
{
    /// <summary>Runs <paramref name="work"/>; if it throws, fails <paramref name="exchange"/> (when there is one) and rethrows.</summary>
    /// <returns>What <paramref name="work"/> returned.</returns>
    public static TResult Run<TResult>(IStatisticsExchange? exchange, Func<TResult> work)
    {
        try
        {
            return work();
        }
        catch (Exception ex) when (exchange is not null)
        {
            exchange.Fail(ex);
            throw;
        }
    }

    /// <summary>Runs <paramref name="work"/>; if it throws, fails <paramref name="exchange"/> (when there is one) and rethrows.</summary>
    public static void Run(IStatisticsExchange? exchange, Action work) =>
        Run(exchange, () =>
        {
            work();
            return true;
        });
}
