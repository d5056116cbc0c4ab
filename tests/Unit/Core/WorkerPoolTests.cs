using System.Diagnostics;
using System.Runtime.ExceptionServices;
using BnNative.Kernels;

namespace BnNative.Tests.Core;

/// <summary>Tests that drive the process-wide kernel worker pool through its test seam: run alone, after the parallel tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class WorkerPoolCollection
{
    public const string Name = "Kernel worker pool";
}

/// <summary>
/// The kernel worker pool hands every chunk of a call to exactly one thread and returns, whatever the interleaving of
/// the caller and its helpers.
/// </summary>
[Collection(WorkerPoolCollection.Name)]
public sealed class WorkerPoolTests
{
    private const int Chunks = 8;

    [Theory]
    [InlineData(1, 1)]
    [InlineData(1, 2)]
    [InlineData(2, 2)]
    [InlineData(7, 3)]
    [InlineData(Chunks, 4)]
    [InlineData(17, 2)]
    [InlineData(100, 3)]
    public void EveryChunkRunsOnce(int chunks, int threads)
    {
        for (int call = 0; call < 50; call++)
        {
            var hits = new int[chunks];
            WorkerPool.ForEach(chunks, threads, k => Interlocked.Increment(ref hits[k]));
            Assert.All(hits, h => Assert.Equal(1, h));
        }
    }

    /// <summary>
    /// Chunk k runs on thread k mod team (the caller is thread 0) while no thread falls behind, so the passes of one
    /// step find their rows in the cache of the core that touched them last. Every chunk here waits until all of them
    /// run at once, so no thread can take another's chunk: the caller must run chunk 0 and each helper one other.
    /// </summary>
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void EachThreadRunsItsOwnChunkFirst(int threads)
    {
        for (int call = 0; call < 20; call++)
        {
            var ran = new int[threads];
            using var together = new Barrier(threads);
            int caller = Environment.CurrentManagedThreadId;
            WorkerPool.ForEach(threads, threads, k =>
            {
                ran[k] = Environment.CurrentManagedThreadId;
                Assert.True(together.SignalAndWait(TimeSpan.FromSeconds(30)), "the chunks did not all run at once");
            });

            Assert.Equal(caller, ran[0]);
            Assert.Equal(threads, ran.Distinct().Count());
        }
    }

    [Fact]
    public void AChunkFailureReachesTheCallerAndThePoolStaysUsable()
    {
        var ex = Assert.Throws<AggregateException>(() => WorkerPool.ForEach(Chunks, 2, k =>
        {
            if (k == 3)
            {
                throw new InvalidOperationException("chunk 3");
            }
        }));
        Assert.Equal("chunk 3", Assert.IsType<InvalidOperationException>(ex.InnerException).Message);

        var hits = new int[Chunks];
        WorkerPool.ForEach(Chunks, 2, k => Interlocked.Increment(ref hits[k]));
        Assert.All(hits, h => Assert.Equal(1, h));
    }

    /// <summary>
    /// Replays the interleaving that once hung a CI run under load: the caller publishes a job and is descheduled
    /// before it wakes its helper; the helper does the whole job, announces sleep, and only then receives the caller's
    /// wake. Taking the same job a second time would count the helper done twice: a caller still waiting spins forever
    /// on -1, one that already returned leaves -1 behind. The call must return with every chunk run once and the helper
    /// counted done once.
    /// </summary>
    [Fact]
    public void AWakeThatArrivesAfterTheHelpersPartDoesNotRunItTwice()
    {
        int replayed = 0;
        Exception? failure = null;
        var caller = new Thread(() =>
        {
            try
            {
                replayed = ReplayLateWakes(attempts: 10);
            }
            catch (Exception ex)
            {
                failure = ex;
            }
        })
        { IsBackground = true };
        caller.Start();

        // A regression hangs inside WorkerPool.Run; fail then instead of blocking the test run.
        bool finished = caller.Join(TimeSpan.FromSeconds(120));
        WorkerPool.AfterPublishForTests = null;
        Assert.True(finished, "WorkerPool.Run did not return after a late wake reached a helper that had done its part.");
        if (failure is not null)
        {
            ExceptionDispatchInfo.Throw(failure);
        }

        // Each attempt waits up to 5 s for the helper; on a machine too loaded for that, at least one got through.
        Assert.True(replayed > 0, "No attempt reached the late-wake interleaving.");
    }

    /// <summary>
    /// Runs calls whose caller, after publishing, lets its helper do every chunk and go to sleep before the wake.
    /// </summary>
    private static int ReplayLateWakes(int attempts)
    {
        int replayed = 0;
        for (int attempt = 0; attempt < attempts; attempt++)
        {
            var hits = new int[Chunks];
            bool lateWake = false;
            WorkerPool.AfterPublishForTests = () =>
            {
                // The helper may have blocked before this job came: release it early, as a prompt caller would. Then
                // wait until it did every chunk and blocked again, so the caller's own wake that follows comes late.
                WorkerPool.WakeSleepingWorkers(1);
                lateWake = WaitUntil(() => AllRan(hits) && WorkerPool.IsWorkerSleeping(0));
            };
            try
            {
                WorkerPool.ForEach(Chunks, 2, k => Interlocked.Increment(ref hits[k]));
            }
            finally
            {
                WorkerPool.AfterPublishForTests = null;
            }

            Assert.All(hits, h => Assert.Equal(1, h));
            if (lateWake)
            {
                // The caller may return before the helper acts on the late wake; once the helper blocks again it has,
                // and it must not have reported a part of its own a second time.
                Assert.True(WaitUntil(() => WorkerPool.IsWorkerSleeping(0)), "The helper did not block again after the late wake.");
                Assert.Equal(0, WorkerPool.PendingHelpers);
                replayed++;
            }
        }

        return replayed;
    }

    private static bool AllRan(int[] hits)
    {
        for (int k = 0; k < hits.Length; k++)
        {
            if (Volatile.Read(ref hits[k]) == 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Polls <paramref name="condition"/> for up to 5 s (a bound for a loaded machine, not a timing claim).</summary>
    private static bool WaitUntil(Func<bool> condition)
    {
        var deadline = Stopwatch.GetTimestamp() + 5 * Stopwatch.Frequency;
        while (!condition())
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                return false;
            }

            Thread.Yield();
        }

        return true;
    }
}
