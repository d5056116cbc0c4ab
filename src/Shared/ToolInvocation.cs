using BnNative.Native.Mpi;

namespace BnNative.Tools;

/// <summary>
/// One run of a tool command: starts the MPI session when the command synchronizes over <c>mpirun</c>, turns bad input
/// (<see cref="ToolCommandLine.IsBadInput"/>) into one line on standard error, prefixed by the command and under MPI by
/// the rank, with exit <see cref="ToolCommandLine.BadInput"/>, and ends the session however the command ends.
/// </summary>
/// <param name="command">What the error line starts with, for example <c>bnnative run</c>.</param>
/// <param name="error">Standard error.</param>
internal sealed class ToolInvocation(string command, TextWriter error)
{
    /// <summary>The MPI session, once <see cref="StartMpi"/> started one; null on a single process.</summary>
    public MpiSession? Session { get; private set; }

    /// <summary>Runs <paramref name="body"/>; bad input becomes one line on standard error and exit 2.</summary>
    /// <returns>The exit code.</returns>
    public int Run(Func<ToolInvocation, int> body)
    {
        try
        {
            return body(this);
        }
        catch (Exception e) when (ToolCommandLine.IsBadInput(e))
        {
            return Fail(ToolCommandLine.FirstLine(e.Message));
        }
        finally
        {
            Session?.Dispose();
        }
    }

    /// <summary>Starts MPI (<c>--sync mpi</c>) when <paramref name="synchronized"/>; returns the session, or null.</summary>
    public MpiSession? StartMpi(bool synchronized)
    {
        Session = synchronized ? MpiSession.Start() : null;
        return Session;
    }

    /// <summary><c>rank r: </c> under MPI, empty on a single process: which rank a line comes from.</summary>
    public string RankPrefix => Session is null ? string.Empty : $"rank {Session.Rank}: ";

    /// <summary>
    /// Runs <paramref name="prepare"/> (reading files, checking targets) before anything is exchanged. On one process
    /// its exceptions pass through. Under MPI it is collective: every rank says whether its own preparation succeeded,
    /// and all ranks stop together when any failed, instead of the others waiting in an exchange. This rank's own
    /// failure is rethrown (and reported by <see cref="Run"/>); when only other ranks failed, one line says which and
    /// the result is false.
    /// </summary>
    public bool TryPrepare<T>(Func<T> prepare, out T? prepared)
    {
        if (Session is not { } session)
        {
            prepared = prepare();
            return true;
        }

        prepared = default;
        string? failure = null;
        try
        {
            prepared = prepare();
        }
        catch (Exception e) when (ToolCommandLine.IsBadInput(e))
        {
            failure = ToolCommandLine.FirstLine(e.Message);
        }

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

        error.WriteLine($"{command}: {RankPrefix}stopping because rank(s) {string.Join(", ", failed)} failed to prepare.");
        return false;
    }

    /// <summary>Writes <c>command: [rank r: ]message</c> to standard error.</summary>
    /// <returns><see cref="ToolCommandLine.BadInput"/>.</returns>
    public int Fail(string message)
    {
        error.WriteLine($"{command}: {RankPrefix}{message}");
        return ToolCommandLine.BadInput;
    }
}
