using System.Diagnostics;

namespace BnNative.Sync;

/// <summary>
/// The part of a synchronized operation a worker does on its own before its first collective (validating its input,
/// computing its local moments). The other workers are then already waiting, or will be, in the exchange; when this part
/// throws they must be told with <see cref="IStatisticsExchange.Fail"/> before the exception reaches the caller, so none
/// of them waits for a worker that will never arrive.
/// </summary>
/// <remarks>
/// Used as an exception filter, so the local part runs inline (no delegate or closure per call) and the exception
/// propagates unchanged: <c>try { … } catch (Exception ex) when (LocalPhase.FailPeers(exchange, ex)) { throw; }</c>.
/// </remarks>
internal static class LocalPhase
{
    /// <summary>Fails <paramref name="exchange"/> (when there is one) with <paramref name="error"/>; always false, so the filter lets the exception pass.</summary>
    public static bool FailPeers(IStatisticsExchange? exchange, Exception error)
    {
        exchange?.Fail(error);
        return false;
    }

    /// <summary>Throws <see cref="UnreachableException"/>: the body of a <see cref="FailPeers"/> catch never runs.</summary>
    public static Exception Unreachable() => new UnreachableException("LocalPhase.FailPeers never catches.");
}
