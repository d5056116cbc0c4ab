using BnNative.Sync;
using BnNative.Tests.Core;

namespace BnNative.Tests.Distributed;

/// <summary>
/// <see cref="ReplicaGroup"/>, the in-process exchange (SPEC §7): gathers in rank order, reusable over many collectives,
/// and never leaves a replica waiting forever once another failed, aborted or timed out. Every test runs under
/// <see cref="Replicas.HangLimit"/>; no test asserts a duration.
/// </summary>
public sealed class ReplicaGroupTests
{
    [Fact]
    public async Task RunReturnsEachReplicasResultInRankOrder()
    {
        var results = await Replicas.Guard(() => ReplicaGroup.Run(5, exchange =>
        {
            Thread.Sleep((5 - exchange.Rank) * 3);
            return (exchange.Rank, exchange.Size);
        }));

        Assert.Equal([(0, 5), (1, 5), (2, 5), (3, 5), (4, 5)], results);
    }

    [Fact]
    public async Task AllGatherGivesEveryReplicaEveryContributionRankZeroFirst()
    {
        var gathered = await Replicas.Guard(() => ReplicaGroup.Run(4, exchange =>
        {
            var all = new double[8];
            exchange.AllGather([10 * exchange.Rank, (10 * exchange.Rank) + 1], all);
            return all;
        }));

        Assert.All(gathered, all => Assert.Equal([0.0, 1, 10, 11, 20, 21, 30, 31], all));
    }

    /// <summary>200 consecutive collectives of varying length: no round sees another round's data.</summary>
    [Fact]
    public async Task AGroupServesManyConsecutiveCollectives()
    {
        const int Rounds = 200;
        const int Size = 4;

        var outcomes = await Replicas.Each(Size, exchange =>
        {
            var mismatches = new List<string>();
            for (int round = 0; round < Rounds; round++)
            {
                int length = 1 + (round % 3);
                var local = new double[length];
                for (int i = 0; i < length; i++)
                {
                    local[i] = (round * 1000) + (exchange.Rank * 10) + i;
                }

                var all = new double[Size * length];
                exchange.AllGather(local, all);
                for (int r = 0; r < Size; r++)
                {
                    for (int i = 0; i < length; i++)
                    {
                        double expected = (round * 1000) + (r * 10) + i;
                        if (all[(r * length) + i] != expected)
                        {
                            mismatches.Add($"rank {exchange.Rank} round {round}: slot {r}/{i} = {all[(r * length) + i]}, expected {expected}");
                        }
                    }
                }
            }

            return mismatches;
        });

        Assert.All(outcomes, outcome => Assert.Empty(outcome.Result));
    }

    [Fact]
    public async Task ASingleReplicaGathersItsOwnContribution()
    {
        var all = await Replicas.Guard(() => ReplicaGroup.Run(1, exchange =>
        {
            var gathered = new double[3];
            exchange.AllGather([1.5, -2, 3], gathered);
            return gathered;
        }));

        Assert.Equal([1.5, -2, 3], Assert.Single(all));
    }

    /// <summary>
    /// Rank 2 throws before the collective the others wait in: Run rethrows that very exception, and each of the others
    /// leaves its collective with a <see cref="StatisticsExchangeException"/> whose inner exception is it.
    /// </summary>
    [Fact]
    public async Task AReplicaThatThrowsInsideRunReleasesTheOthersAndIsRethrown()
    {
        var boom = new InvalidOperationException("replica 2 failed");
        var seen = new Exception?[4];

        var thrown = await Replicas.Guard(() => Record.Exception(() => ReplicaGroup.Run(4, exchange =>
        {
            var all = new double[4];
            exchange.AllGather([exchange.Rank], all);
            if (exchange.Rank == 2)
            {
                throw boom;
            }

            try
            {
                exchange.AllGather([exchange.Rank], all);
                return 0;
            }
            catch (StatisticsExchangeException e)
            {
                seen[exchange.Rank] = e;
                throw;
            }
        })));

        Assert.Same(boom, thrown);
        foreach (int rank in new[] { 0, 1, 3 })
        {
            var error = Assert.IsType<StatisticsExchangeException>(seen[rank]);
            Assert.Same(boom, error.InnerException);
            Assert.Contains($"Replica {rank}", error.Message, StringComparison.Ordinal);
            Assert.Contains("replica 2 failed", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task RunRethrowsTheFirstFailureOnlyAfterEveryReplicaEnded()
    {
        int finished = 0;

        var thrown = await Replicas.Guard(() => Record.Exception(() => ReplicaGroup.Run(3, exchange =>
        {
            if (exchange.Rank == 0)
            {
                throw new ArithmeticException("rank 0");
            }

            Thread.Sleep(20);
            Interlocked.Increment(ref finished);
            return exchange.Rank;
        })));

        Assert.IsType<ArithmeticException>(thrown);
        Assert.Equal(2, Volatile.Read(ref finished));
    }

    [Fact]
    public async Task FailFromOneReplicaReleasesTheOthersWaitingInACollective()
    {
        var group = new ReplicaGroup(3);
        var reason = new FormatException("bad input on rank 1");

        var outcomes = await Replicas.Each(group, exchange =>
        {
            if (exchange.Rank == 1)
            {
                Thread.Sleep(30);
                exchange.Fail(reason);
                return 1;
            }

            exchange.AllGather([1.0], new double[3]);
            return 0;
        });

        Assert.Equal(1, outcomes[1].Result);
        foreach (int rank in new[] { 0, 2 })
        {
            var error = Assert.IsType<StatisticsExchangeException>(outcomes[rank].Error);
            Assert.Same(reason, error.InnerException);
        }

        Assert.True(group.IsAborted);
    }

    [Fact]
    public void AbortBeforeAnyCollectiveFailsEveryLaterCollective()
    {
        var group = new ReplicaGroup(2);
        var first = new OperationCanceledException("stop");
        Assert.False(group.IsAborted);

        group.Abort(first);
        group.Abort(new InvalidOperationException("second reason is ignored"));

        Assert.True(group.IsAborted);
        for (int rank = 0; rank < 2; rank++)
        {
            var error = Assert.Throws<StatisticsExchangeException>(() => group.Replica(rank).AllGather([1.0], new double[2]));
            Assert.Same(first, error.InnerException);
            Assert.Contains("stop", error.Message, StringComparison.Ordinal);
        }

        ParamAssert.Throws<ArgumentNullException>("reason", () => group.Abort(null!));
    }

    /// <summary>Rank 1 never arrives: after the 200 ms timeout rank 0 gets a StatisticsExchangeException wrapping a TimeoutException, and the group stays aborted.</summary>
    [Fact]
    public async Task AReplicaThatNeverArrivesTimesTheCollectiveOut()
    {
        var group = new ReplicaGroup(2, TimeSpan.FromMilliseconds(200));
        Assert.Equal(TimeSpan.FromMilliseconds(200), group.Timeout);

        var error = await Replicas.Guard(
            () => Record.Exception(() => group.Replica(0).AllGather([1.0], new double[2])),
            () => group.Abort(new TimeoutException("Test hang guard.")));

        var exchangeError = Assert.IsType<StatisticsExchangeException>(error);
        var timeout = Assert.IsType<TimeoutException>(exchangeError.InnerException);
        Assert.Contains("Replica 0", timeout.Message, StringComparison.Ordinal);
        Assert.True(group.IsAborted);
        var late = Assert.Throws<StatisticsExchangeException>(() => group.Replica(1).AllGather([1.0], new double[2]));
        Assert.Same(timeout, late.InnerException);
    }

    [Fact]
    public async Task RunWithATimeoutRethrowsTheTimeout()
    {
        var thrown = await Replicas.Guard(() => Record.Exception(() => ReplicaGroup.Run(
            2,
            exchange =>
            {
                if (exchange.Rank == 0)
                {
                    exchange.AllGather([1.0], new double[2]);
                }

                return exchange.Rank;
            },
            TimeSpan.FromMilliseconds(200))));

        var error = Assert.IsType<StatisticsExchangeException>(thrown);
        Assert.IsType<TimeoutException>(error.InnerException);
    }

    /// <summary>A timeout only bounds waiting: replicas that arrive in time complete every collective.</summary>
    [Fact]
    public async Task ATimeoutDoesNotDisturbCollectivesThatComplete()
    {
        var group = new ReplicaGroup(3, TimeSpan.FromSeconds(30));

        var outcomes = await Replicas.Each(group, exchange =>
        {
            var all = new double[3];
            for (int round = 0; round < 20; round++)
            {
                exchange.AllGather([round + exchange.Rank], all);
            }

            return all;
        });

        Assert.All(outcomes, outcome => Assert.Equal([19.0, 20, 21], outcome.Result));
        Assert.False(group.IsAborted);
    }

    /// <summary>
    /// A long timeout is accepted by the constructor, so the collectives must work with it. Monitor.Wait takes at most
    /// int.MaxValue milliseconds (about 24.8 days) and DateTime.UtcNow + TimeSpan.MaxValue overflows.
    /// </summary>
    [Theory]
    [InlineData(30.0)]
    [InlineData(double.PositiveInfinity)]
    public async Task ALongTimeoutIsAcceptedAndWaitsNormally(double days)
    {
        var timeout = double.IsInfinity(days) ? TimeSpan.MaxValue : TimeSpan.FromDays(days);
        var group = new ReplicaGroup(2, timeout);

        var outcomes = await Replicas.Each(group, exchange =>
        {
            if (exchange.Rank == 1)
            {
                Thread.Sleep(50);
            }

            var all = new double[2];
            exchange.AllGather([exchange.Rank], all);
            return all;
        });

        Assert.All(outcomes, outcome => Assert.Equal([0.0, 1], outcome.Result));
    }

    [Fact]
    public void TheConstructorChecksItsArguments()
    {
        ParamAssert.Throws<ArgumentOutOfRangeException>("replicas", () => new ReplicaGroup(0));
        ParamAssert.Throws<ArgumentOutOfRangeException>("replicas", () => new ReplicaGroup(-1));
        ParamAssert.Throws<ArgumentOutOfRangeException>("timeout", () => new ReplicaGroup(2, TimeSpan.Zero));
        ParamAssert.Throws<ArgumentOutOfRangeException>("timeout", () => new ReplicaGroup(2, TimeSpan.FromMilliseconds(-5)));
        Assert.Equal(Timeout.InfiniteTimeSpan, new ReplicaGroup(2).Timeout);
        Assert.Equal(Timeout.InfiniteTimeSpan, new ReplicaGroup(2, Timeout.InfiniteTimeSpan).Timeout);
        Assert.Equal(3, new ReplicaGroup(3).Size);
        ParamAssert.Throws<ArgumentOutOfRangeException>("replicas", () => ReplicaGroup.Run(0, exchange => 0));
        ParamAssert.Throws<ArgumentNullException>("body", () => ReplicaGroup.Run<int>(2, null!));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(3)]
    [InlineData(int.MaxValue)]
    [InlineData(int.MinValue)]
    public void ReplicaOutOfRangeIsRejected(int rank)
    {
        var group = new ReplicaGroup(3);

        var error = ParamAssert.Throws<ArgumentOutOfRangeException>("rank", () => group.Replica(rank));

        Assert.Equal(rank, error.ActualValue);
        Assert.Contains("[0, 2]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReplicasAreStableAndKnowTheirRank()
    {
        var group = new ReplicaGroup(3);

        Assert.Same(group.Replica(1), group.Replica(1));
        Assert.Equal([(0, 3), (1, 3), (2, 3)], Enumerable.Range(0, 3).Select(r => (group.Replica(r).Rank, group.Replica(r).Size)));
    }

    /// <summary>A wrong destination length is the caller's error, reported before the replica joins the collective.</summary>
    [Fact]
    public async Task AGatherBufferOfTheWrongLengthIsRejectedWithoutPoisoningTheGroup()
    {
        var group = new ReplicaGroup(2);

        ParamAssert.Throws<ArgumentException>("gathered", () => group.Replica(0).AllGather([1.0, 2], new double[3]));

        var outcomes = await Replicas.Each(group, exchange =>
        {
            var all = new double[2];
            exchange.AllGather([exchange.Rank + 0.5], all);
            return all;
        });
        Assert.All(outcomes, outcome => Assert.Equal([0.5, 1.5], outcome.Result));
    }

    [Fact]
    public async Task ContributionsOfDifferentLengthsFailOnEveryReplica()
    {
        var outcomes = await Replicas.Each(2, exchange =>
        {
            int length = exchange.Rank + 1;
            exchange.AllGather(new double[length], new double[2 * length]);
            return 0;
        });

        Assert.All(outcomes, outcome => Assert.IsType<StatisticsExchangeException>(outcome.Error));
    }

    [Fact]
    public void TheSingleWorkerExchangeIsTheIdentity()
    {
        var single = SingleWorkerExchange.Instance;
        var gathered = new double[2];

        single.AllGather([4.0, -1], gathered);

        Assert.Equal((0, 1), (single.Rank, single.Size));
        Assert.Equal([4.0, -1], gathered);
        Assert.Same(SingleWorkerExchange.Instance, single);
        ParamAssert.Throws<ArgumentException>("gathered", () => single.AllGather([1.0], new double[2]));
        ParamAssert.Throws<ArgumentNullException>("reason", () => single.Fail(null!));
        single.Fail(new InvalidOperationException("nobody else to tell"));
        single.AllGather([7.0, 8], gathered);
        Assert.Equal([7.0, 8], gathered);
    }

    [Fact]
    public void StatisticsExchangeExceptionHasTheStandardConstructors()
    {
        var inner = new TimeoutException("late");

        Assert.NotNull(new StatisticsExchangeException().Message);
        Assert.Equal("m", new StatisticsExchangeException("m").Message);
        Assert.Same(inner, new StatisticsExchangeException("m", inner).InnerException);
    }
}
