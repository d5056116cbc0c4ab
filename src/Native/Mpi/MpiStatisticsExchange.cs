using BnNative.Sync;

namespace BnNative.Native.Mpi;

/// <summary>
/// Synchronized batch norm across the processes of an Open MPI job (tensorpack's "horovod" analogue, SPEC §7):
/// <see cref="AllGather"/> is MPI_Allgather of doubles over MPI_COMM_WORLD, so every rank receives every rank's
/// statistics in rank order and merges them identically. <see cref="Fail"/> aborts the job (MPI_Abort), because a
/// rank that leaves the collective sequence would otherwise leave the others blocked forever.
/// </summary>
public sealed unsafe class MpiStatisticsExchange : IStatisticsExchange
{
    private readonly MpiSession _session;

    internal MpiStatisticsExchange(MpiSession session) => _session = session;

    /// <inheritdoc />
    public int Rank => _session.Rank;

    /// <inheritdoc />
    public int Size => _session.Size;

    /// <inheritdoc />
    public void AllGather(ReadOnlySpan<double> local, Span<double> gathered)
    {
        if (gathered.Length != checked(local.Length * Size))
        {
            throw new ArgumentException($"gathered has {gathered.Length} entries but {Size} × {local.Length} are needed.", nameof(gathered));
        }

        fixed (double* send = local)
        fixed (double* receive = gathered)
        {
            var type = MpiLibrary.Double;
            MpiLibrary.Check(
                MpiImports.MPI_Allgather(send, local.Length, type, receive, local.Length, type, MpiLibrary.CommWorld), "MPI_Allgather");
        }
    }

    /// <summary>
    /// Writes the reason to standard error and aborts the job with exit code 1 when there are other ranks to release;
    /// in a single-process job it returns and lets the exception propagate.
    /// </summary>
    public void Fail(Exception reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        if (Size == 1)
        {
            return;
        }

        Console.Error.WriteLine($"bnnative: rank {Rank}: {reason.Message} (aborting the MPI job)");
        Console.Error.Flush();
        _session.Abort(1);
    }
}
