namespace BnNative.Sync;

/// <summary>
/// How the workers of a synchronized batch norm (SPEC §7) exchange per-channel statistics. Every worker calls the same
/// collective operations in the same order; <see cref="AllGather"/> gives every worker every contribution in rank
/// order, so merging them in that order yields bitwise-identical results everywhere. Implementations: the
/// single-worker identity (<see cref="SingleWorkerExchange"/>), threads of one process (<see cref="ReplicaGroup"/>),
/// and processes under Open MPI (BnNative.Native's <c>MpiStatisticsExchange</c>).
/// </summary>
public interface IStatisticsExchange
{
    /// <summary>This worker's rank, in [0, <see cref="Size"/>).</summary>
    int Rank { get; }

    /// <summary>Number of workers, ≥ 1.</summary>
    int Size { get; }

    /// <summary>
    /// Collective: every worker contributes <paramref name="local"/> (the same length everywhere) and receives all
    /// contributions, rank 0's first, in <paramref name="gathered"/> (<see cref="Size"/> × <c>local.Length</c>).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="gathered"/> has the wrong length.</exception>
    /// <exception cref="StatisticsExchangeException">Another worker failed, or the exchange timed out.</exception>
    void AllGather(ReadOnlySpan<double> local, Span<double> gathered);

    /// <summary>
    /// Tells the other workers that this one failed and will not reach the next collective, so that none of them waits
    /// forever: in a thread group they get a <see cref="StatisticsExchangeException"/>; under MPI the job is aborted.
    /// </summary>
    void Fail(Exception reason);
}
