using System.Runtime.ExceptionServices;

namespace BnNative.Sync;

/// <summary>
/// The in-process reducer of synchronized batch norm (tensorpack's "nccl" analogue, SPEC §7): k replicas running on
/// k threads of one process exchange statistics through it. <see cref="Replica"/> hands out each rank's
/// <see cref="IStatisticsExchange"/>. A replica that fails (<see cref="IStatisticsExchange.Fail"/>, <see cref="Abort"/>,
/// an exception inside <see cref="Run{TResult}"/>) or a collective that waits longer than <see cref="Timeout"/> aborts
/// the group: every replica waiting in, or later entering, a collective gets a <see cref="StatisticsExchangeException"/>.
/// A group stays aborted; make a new one to start over.
/// </summary>
public sealed class ReplicaGroup
{
    private static readonly TimeSpan MaxWaitSlice = TimeSpan.FromHours(1);
    private readonly object _gate = new();
    private readonly Member[] _members;
    private double[]?[] _slots;
    private double[]?[] _published;
    private int _arrived;
    private long _generation;
    private Exception? _failure;

    /// <summary>Creates a group of <paramref name="replicas"/> replicas.</summary>
    /// <param name="replicas">Number of replicas, ≥ 1.</param>
    /// <param name="timeout">How long a replica waits in one collective for the others before the group is aborted;
    /// null waits without limit.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="replicas"/> is below 1, or the timeout is not positive.</exception>
    public ReplicaGroup(int replicas, TimeSpan? timeout = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(replicas, 1);
        if (timeout is { } t && t <= TimeSpan.Zero && t != System.Threading.Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "timeout must be positive (or null to wait without limit).");
        }

        Timeout = timeout ?? System.Threading.Timeout.InfiniteTimeSpan;
        _members = new Member[replicas];
        for (int rank = 0; rank < replicas; rank++)
        {
            _members[rank] = new Member(this, rank);
        }

        _slots = new double[replicas][];
        _published = new double[replicas][];
    }

    /// <summary>Number of replicas.</summary>
    public int Size => _members.Length;

    /// <summary>How long one collective waits for the others before aborting the group (infinite when none was given).</summary>
    public TimeSpan Timeout { get; }

    /// <summary>True once a replica failed or a collective timed out.</summary>
    public bool IsAborted
    {
        get
        {
            lock (_gate)
            {
                return _failure is not null;
            }
        }
    }

    /// <summary>The exchange of replica <paramref name="rank"/> (the same object on every call).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rank"/> is outside [0, <see cref="Size"/>).</exception>
    public IStatisticsExchange Replica(int rank)
    {
        if ((uint)rank >= (uint)_members.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(rank), rank, $"rank must be in [0, {_members.Length - 1}].");
        }

        return _members[rank];
    }

    /// <summary>Aborts the group: every replica waiting in a collective, and every later one, gets a <see cref="StatisticsExchangeException"/> whose inner exception is <paramref name="reason"/>. Only the first reason is kept.</summary>
    public void Abort(Exception reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        lock (_gate)
        {
            _failure ??= reason;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>
    /// Runs <paramref name="body"/> once per replica, each on its own thread with its rank's exchange, and returns the
    /// results in rank order. When a replica throws, the group is aborted so the others stop at their next collective,
    /// and the first failure is rethrown (with its original stack trace) after every thread has ended.
    /// </summary>
    /// <param name="replicas">Number of replicas, ≥ 1.</param>
    /// <param name="body">The work of one replica.</param>
    /// <param name="timeout">As for the constructor.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="replicas"/> is below 1.</exception>
    public static TResult[] Run<TResult>(int replicas, Func<IStatisticsExchange, TResult> body, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        var group = new ReplicaGroup(replicas, timeout);
        var results = new TResult[replicas];
        Exception? first = null;
        var gate = new object();
        var threads = new Thread[replicas];
        for (int rank = 0; rank < replicas; rank++)
        {
            int r = rank;
            threads[r] = new Thread(() =>
            {
                try
                {
                    results[r] = body(group.Replica(r));
                }
                catch (Exception ex)
                {
                    lock (gate)
                    {
                        first ??= ex;
                    }

                    group.Abort(ex);
                }
            })
            {
                IsBackground = true,
                Name = $"BnNative replica {r}",
            };
            threads[r].Start();
        }

        foreach (var thread in threads)
        {
            thread.Join();
        }

        if (first is not null)
        {
            ExceptionDispatchInfo.Capture(first).Throw();
        }

        return results;
    }

    private void AllGather(int rank, ReadOnlySpan<double> local, Span<double> gathered)
    {
        if (gathered.Length != checked(local.Length * Size))
        {
            throw new ArgumentException($"gathered has {gathered.Length} entries but {Size} × {local.Length} are needed.", nameof(gathered));
        }

        double[]?[] published;
        lock (_gate)
        {
            ThrowIfAborted(rank);
            if (_slots[rank] is not null)
            {
                throw new InvalidOperationException($"Replica {rank} entered a collective twice before the others arrived.");
            }

            _slots[rank] = local.ToArray();
            long generation = _generation;
            if (++_arrived == Size)
            {
                _published = _slots;
                _slots = new double[Size][];
                _arrived = 0;
                _generation++;
                Monitor.PulseAll(_gate);
            }
            else
            {
                bool infinite = Timeout == System.Threading.Timeout.InfiniteTimeSpan;
                var clock = System.Diagnostics.Stopwatch.StartNew();
                while (_generation == generation && _failure is null)
                {
                    if (infinite)
                    {
                        Monitor.Wait(_gate);
                        continue;
                    }

                    var left = Timeout - clock.Elapsed;
                    if (left <= TimeSpan.Zero)
                    {
                        _failure = new TimeoutException(
                            $"Replica {rank} waited {Timeout} for {Size - _arrived} other replica(s) to reach the collective.");
                        Monitor.PulseAll(_gate);
                        break;
                    }

                    // Monitor.Wait takes at most int.MaxValue milliseconds; longer timeouts wait in slices.
                    Monitor.Wait(_gate, left < MaxWaitSlice ? left : MaxWaitSlice);
                }

                if (_generation == generation)
                {
                    ThrowIfAborted(rank);
                }
            }

            published = _published;
        }

        int length = local.Length;
        for (int r = 0; r < published.Length; r++)
        {
            var part = published[r]!;
            if (part.Length != length)
            {
                throw new StatisticsExchangeException(
                    $"Replicas contributed vectors of different lengths to one collective: rank {rank} {length}, rank {r} {part.Length}.");
            }

            part.CopyTo(gathered.Slice(r * length, length));
        }
    }

    private void ThrowIfAborted(int rank)
    {
        if (_failure is not null)
        {
            throw new StatisticsExchangeException(
                $"Replica {rank} cannot continue: the replica group was aborted ({_failure.GetType().Name}: {_failure.Message}).", _failure);
        }
    }

    private sealed class Member(ReplicaGroup group, int rank) : IStatisticsExchange
    {
        public int Rank => rank;

        public int Size => group.Size;

        public void AllGather(ReadOnlySpan<double> local, Span<double> gathered) => group.AllGather(rank, local, gathered);

        public void Fail(Exception reason) => group.Abort(reason);
    }
}
