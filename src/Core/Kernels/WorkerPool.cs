using System.Runtime.CompilerServices;

namespace BnNative.Kernels;

/// <summary>
/// Runs the chunks of one kernel call on the calling thread plus persistent background workers, started once per
/// process, so a call neither starts threads nor allocates. Chunks are handed out in any order; kernels make the
/// result independent of that (per-chunk partials merged in chunk order).
/// </summary>
/// <remarks>
/// One call uses the pool at a time; a concurrent caller (for example another replica of a synchronized step) runs its
/// chunks on its own thread instead of waiting, which gives the same result.
/// </remarks>
internal static unsafe class WorkerPool
{
    private static readonly object StartLock = new();
    private static int _busy;
    private static Worker[] _workers = [];

    private static delegate*<void*, int, void> _job;
    private static void* _state;
    private static int _chunks;
    private static int _nextChunk;
    private static int _pending;
    private static Exception? _failure;

    /// <summary>
    /// Calls <paramref name="job"/>(<paramref name="state"/>, k) for every chunk k in [0, <paramref name="chunks"/>),
    /// on up to <paramref name="threads"/> threads; returns when all are done. <paramref name="state"/> must stay valid
    /// (it lives on the caller's stack) until then.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
            _nextChunk = 0;
            _failure = null;
            Volatile.Write(ref _pending, helpers);
            for (int w = 0; w < helpers; w++)
            {
                workers[w].Wake.Release();
            }

            Work();
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

    private static void Work()
    {
        try
        {
            int chunk;
            while ((chunk = Interlocked.Increment(ref _nextChunk) - 1) < _chunks)
            {
                _job(_state, chunk);
            }
        }
        catch (Exception ex)
        {
            _failure = ex;
            Volatile.Write(ref _nextChunk, _chunks);
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

            _workers = workers;
            return workers;
        }
    }

    private sealed class Worker
    {
        public Worker(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"BnNative kernel worker {index + 1}" };
            thread.Start();
        }

        public SemaphoreSlim Wake { get; } = new(0);

        private void Loop()
        {
            while (true)
            {
                Wake.Wait();
                Work();
                Interlocked.Decrement(ref _pending);
            }
        }
    }
}
