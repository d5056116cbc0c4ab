using BnNative.Native.Mpi;

namespace BnNative.Cli;

/// <summary>
/// Before a synchronized job exchanges anything, every rank says whether its own preparation (reading files, checking
/// targets) succeeded; all ranks then stop together when any failed, instead of the others waiting in an exchange.
/// </summary>
internal static class MpiAgreement
{
    /// <summary>
    /// Collective. Throws <see cref="ArgumentException"/> with this rank's own failure; returns false (after one line on
    /// <paramref name="error"/>) when only other ranks failed; true when every rank is ready.
    /// </summary>
    public static bool AllReady(MpiSession session, string? failure, TextWriter error, string command)
    {
        var flags = new double[session.Size];
        session.Exchange.AllGather([failure is null ? 1 : 0], flags);
        if (failure is not null)
        {
            throw new ArgumentException(failure);
        }

        var failed = Enumerable.Range(0, session.Size).Where(r => flags[r] == 0).ToArray();
        if (failed.Length == 0)
        {
            return true;
        }

        error.WriteLine($"bnnative {command}: rank {session.Rank}: stopping because rank(s) {string.Join(", ", failed)} failed to prepare.");
        return false;
    }
}
