using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace BnNative.Kernels;

/// <summary>
/// Runs the chunks of one kernel call on the calling thread plus persistent background workers, started once per
/// process, so a call neither starts threads nor allocates. Thread t of the call's team (the caller is 0) runs chunks
/// t, t + team, … first, then takes what the others have not started, so a chunk runs on the same thread from one
/// pass to the next unless a thread falls behind; which thread runs a chunk never changes a result (kernels merge
/// per-chunk partials in chunk order).
/// </summary>
/// <remarks>
/// <para>After a job a worker spins for <see cref="SpinMicroseconds"/> watching for the next one before it blocks, so
/// back-to-back calls (the passes of one training step) wake it in well under a microsecond; a blocked worker is woken
/// through its semaphore.</para>
/// <para>One call uses the pool at a time; a concurrent caller (for example another replica of a synchronized step) runs
/// its chunks on its own thread instead of waiting, which gives the same result.</para>
/// </remarks>
internal static unsafe class WorkerPool
{
    /// <summary>How long an idle worker keeps spinning for the next job before it blocks.</summary>
    public const int SpinMicroseconds = 50;

    /// <summary>Ints between two threads' stripe counters: one 64-byte line each, so claiming a chunk does not bounce a line shared with another thread.</summary>
    private const int StripeStride = 16;

    private static readonly object StartLock = new();
    private static readonly long SpinTicks = Stopwatch.Frequency * SpinMicroseconds / 1_000_000;
    private static int _busy;
    private static Worker[] _workers = [];

    private static delegate*<void*, int, void> _job;
    private static void* _state;
    private static int _chunks;
    private static int _pending;

    /// <summary>Threads of the current job: the caller and its helpers.</summary>
    private static int _team;

    /// <summary>
    /// Per thread of the job, the next index i of its stripe (chunks self, self + team, self + 2·team, …), each on a
    /// cache line of its own (<see cref="StripeStride"/> ints apart).
    /// </summary>
    private static int[] _stripes = new int[StripeStride];

    /// <summary>The job's generation (high 32 bits) and number of helpers (low 32 bits), read by workers in one step.</summary>
    private static long _ticket;
    private static Exception? _failure;

    /// <summary>
    /// Test seam: called by <see cref="Run"/> after it publishes a job and before it wakes sleeping helpers, so a test
    /// can stand for a caller descheduled at that point (the wake then reaches a helper that already did its part).
    /// </summary>
    internal static Action? AfterPublishForTests;

    /// <summary>
    /// Releases those of the first <paramref name="count"/> workers that blocked; spinning workers see a new job on their
    /// own.
    /// </summary>
    internal static void WakeSleepingWorkers(int count)
    {
        var workers = Volatile.Read(ref _workers);
        for (int w = 0; w < count && w < workers.Length; w++)
        {
            workers[w].WakeIfSleeping();
        }
    }

    /// <summary>Helpers of the current (or last) job that have not yet reported their part done; 0 between calls.</summary>
    internal static int PendingHelpers => Volatile.Read(ref _pending);

    /// <summary>Whether worker <paramref name="index"/> exists and has announced that it blocks on its semaphore.</summary>
    internal static bool IsWorkerSleeping(int index)
    {
        var workers = Volatile.Read(ref _workers);
        return index < workers.Length && workers[index].IsSleeping;
    }

    /// <summary>
    /// Calls <paramref name="job"/>(<paramref name="state"/>, k) for every chunk k in [0, <paramref name="chunks"/>),
    /// on up to <paramref name="threads"/> threads; returns when all are done. <paramref name="state"/> must stay valid
    /// (it lives on the caller's stack) until then.
    /// </summary>
    public static void Run(delegate*<void*, int, void> job, void* state, int chunks, int threads)
    {
        int helpers = Math.Min(threads, chunks) - 1;
        if (helpers <= 0 || Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            for (int chunk = 0; chunk < chunks; chunk++)
            {
                job(state, chunk);
            }

            return;
        }

        try
        {
            var workers = EnsureWorkers(helpers);
            _job = job;
            _state = state;
            _chunks = chunks;
            _team = helpers + 1;
            var stripes = _stripes;
            for (int t = 0; t <= helpers; t++)
            {
                stripes[t * StripeStride] = 0;
            }

            _failure = null;
            Volatile.Write(ref _pending, helpers);
            long generation = (Volatile.Read(ref _ticket) >> 32) + 1;
            Volatile.Write(ref _ticket, (generation << 32) | (uint)helpers);
            AfterPublishForTests?.Invoke();
            WakeSleepingWorkers(helpers);

            Work(0);
            var spin = default(SpinWait);
            while (Volatile.Read(ref _pending) != 0)
            {
                spin.SpinOnce(sleep1Threshold: -1);
            }

            if (_failure is { } failure)
            {
                throw new AggregateException("A kernel chunk failed.", failure);
            }
        }
        finally
        {
            _job = null;
            _state = null;
            Volatile.Write(ref _busy, 0);
        }
    }

    /// <summary>
    /// Calls <paramref name="body"/>(k) for k in [0, <paramref name="parts"/>) on the pool's threads (the bandwidth
    /// floors of <c>bnnative bench</c> run on the same threads as the kernels they are compared with, so neither pool
    /// spins while the other works). Allocates a handle per call; not for the kernels themselves.
    /// </summary>
    public static void ForEach(int parts, int threads, Action<int> body)
    {
        var handle = System.Runtime.InteropServices.GCHandle.Alloc(body);
        try
        {
            Run(&InvokeDelegate, (void*)System.Runtime.InteropServices.GCHandle.ToIntPtr(handle), parts, threads);
        }
        finally
        {
            handle.Free();
        }
    }

    private static void InvokeDelegate(void* state, int part) =>
        ((Action<int>)System.Runtime.InteropServices.GCHandle.FromIntPtr((nint)state).Target!)(part);

    /// <summary>
    /// Runs chunks of the current job as thread <paramref name="self"/> of the team: first its own stripe (chunks self,
    /// self + team, …), then whatever is left of the others'. A chunk therefore stays on the same thread from one pass
    /// to the next (the moments, then the normalize pass over the same rows, find them in that core's L2) unless a
    /// thread falls behind and another takes over its chunks.
    /// </summary>
    private static void Work(int self)
    {
        try
        {
            int team = _team;
            int chunks = _chunks;
            var stripes = _stripes;
            for (int k = 0; k < team; k++)
            {
                int stripe = (self + k) % team;
                int chunk;
                while ((chunk = stripe + (team * (Interlocked.Increment(ref stripes[stripe * StripeStride]) - 1))) < chunks)
                {
                    _job(_state, chunk);
                }
            }
        }
        catch (Exception ex)
        {
            _failure = ex;
            var stripes = _stripes;
            for (int t = 0; t < _team; t++)
            {
                Volatile.Write(ref stripes[t * StripeStride], _chunks);
            }
        }
    }

    private static Worker[] EnsureWorkers(int count)
    {
        if (_workers.Length >= count)
        {
            return _workers;
        }

        lock (StartLock)
        {
            var workers = new Worker[count];
            Array.Copy(_workers, workers, _workers.Length);
            for (int w = _workers.Length; w < count; w++)
            {
                workers[w] = new Worker(w);
            }

            _stripes = new int[(count + 1) * StripeStride];
            _workers = workers;
            return workers;
        }
    }

    private sealed class Worker
    {
        private readonly int _index;
        private readonly SemaphoreSlim _wake = new(0);
        private readonly long _firstSeen;
        private int _sleeping;

        /// <summary>Starts worker <paramref name="index"/>; it takes jobs from the generation after the current one.</summary>
        public Worker(int index)
        {
            _index = index;

            // Read here, on the caller's thread, before the caller publishes its job: read on the new thread, a job
            // published before the thread runs would count as already seen and never be taken.
            _firstSeen = Volatile.Read(ref _ticket) >> 32;
            var thread = new Thread(Loop) { IsBackground = true, Name = $"BnNative kernel worker {index + 1}" };
            thread.Start();
        }

        public bool IsSleeping => Volatile.Read(ref _sleeping) == 1;

        /// <summary>Releases the worker if it blocked (it then clears <c>_sleeping</c> itself); a spinning worker sees the new generation on its own.</summary>
        public void WakeIfSleeping()
        {
            if (Interlocked.CompareExchange(ref _sleeping, 0, 1) == 1)
            {
                _wake.Release();
            }
        }

        private void Loop()
        {
            long seen = _firstSeen;
            while (true)
            {
                long ticket = WaitForTicket(seen, ref _sleeping, _wake);
                seen = ticket >> 32;
                if (_index < (int)ticket)
                {
                    Work(_index + 1);
                    Interlocked.Decrement(ref _pending);
                }
            }
        }

        /// <summary>Spins, then blocks, until the generation moves past <paramref name="seen"/>; returns the new ticket.</summary>
        private static long WaitForTicket(long seen, ref int sleeping, SemaphoreSlim wake)
        {
            long deadline = Stopwatch.GetTimestamp() + SpinTicks;
            long current;
            while (((current = Volatile.Read(ref _ticket)) >> 32) == seen)
            {
                if (Stopwatch.GetTimestamp() > deadline)
                {
                    // A full fence between announcing sleep and re-reading the ticket (Interlocked, not a volatile
                    // write): otherwise the store may wait in the store buffer while the load sees the old ticket, the
                    // caller's CAS sees "not sleeping", and nobody wakes the worker.
                    Interlocked.Exchange(ref sleeping, 1);
                    if (((current = Volatile.Read(ref _ticket)) >> 32) != seen)
                    {
                        // A job arrived while going to sleep: take it, unless the caller already released us.
                        if (Interlocked.CompareExchange(ref sleeping, 0, 1) == 1)
                        {
                            return current;
                        }
                    }

                    wake.Wait();
                    if (((current = Volatile.Read(ref _ticket)) >> 32) != seen)
                    {
                        return current;
                    }

                    // Released with no new job: a caller descheduled between publishing its job and waking its helpers
                    // can wake this worker after it did its part of that job and went to sleep. Taking the same job
                    // again would decrement _pending twice, and the caller would spin forever on -1 (a CI run under
                    // load hung so; WorkerPoolTests replays it). Wait for the next job instead.
                    deadline = Stopwatch.GetTimestamp() + SpinTicks;
                    continue;
                }

                Thread.SpinWait(8);
            }

            return current;
        }
    }
}
