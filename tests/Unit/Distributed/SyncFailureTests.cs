using BnNative.Collections;
using BnNative.Moments;
using BnNative.Normalization;
using BnNative.Sync;
using BnNative.Tensors;
using BnNative.Tests.Core;

namespace BnNative.Tests.Distributed;

/// <summary>
/// Synchronized steps that cannot succeed (SPEC §7, §10): a mismatch between workers is a
/// <see cref="StatisticsExchangeException"/> on every worker; a local error is that worker's own exception and a
/// <see cref="StatisticsExchangeException"/> on the others; a count error decided by the global count is the same
/// <see cref="ArgumentException"/> everywhere. No case may leave a replica waiting (each runs under the hang guard,
/// and the groups here do not abort on a body's exception: only the library's own <see cref="IStatisticsExchange.Fail"/> can release them).
/// </summary>
public sealed class SyncFailureTests
{
    [Fact]
    public async Task DifferentChannelCountsFailOnEveryReplicaNamingTheRanks()
    {
        var outcomes = await Replicas.Each(3, exchange =>
        {
            int channels = exchange.Rank == 2 ? 4 : 3;
            return BatchNorm.Train(Rows(4, channels), BatchNormState<double>.Init(channels), null, exchange);
        });

        Assert.All(outcomes, outcome =>
        {
            var error = Assert.IsType<StatisticsExchangeException>(outcome.Error);
            Assert.Contains("rank 0: 3 channels", error.Message, StringComparison.Ordinal);
            Assert.Contains("rank 1: 3 channels", error.Message, StringComparison.Ordinal);
            Assert.Contains("rank 2: 4 channels", error.Message, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task DifferentElementTypesFailOnEveryReplicaNamingTheRanks()
    {
        var outcomes = await Replicas.Each(2, exchange =>
        {
            if (exchange.Rank == 0)
            {
                var single = TensorView<float>.Create(Rows(4, 3).ToArray().Select(v => (float)v).ToArray(), 4, 3);
                return (object)BatchNorm.Train(single, BatchNormState<float>.Init(3), null, exchange);
            }

            return BatchNorm.Train(Rows(4, 3), BatchNormState<double>.Init(3), null, exchange);
        });

        Assert.All(outcomes, outcome =>
        {
            var error = Assert.IsType<StatisticsExchangeException>(outcome.Error);
            Assert.Contains("rank 0: 3 channels of float32", error.Message, StringComparison.Ordinal);
            Assert.Contains("rank 1: 3 channels of float64", error.Message, StringComparison.Ordinal);
        });
    }

    public static TheoryData<string> LocalErrors => ["channels", "non-finite", "destination", "axis", "virtual batch", "null state"];

    /// <summary>
    /// Replica 1 cannot even start (its own input is bad): it gets the usual argument exception, and replicas 0 and 2,
    /// already waiting for the handshake, get a <see cref="StatisticsExchangeException"/> whose inner exception is it.
    /// </summary>
    [Theory]
    [MemberData(nameof(LocalErrors))]
    public async Task ALocalErrorOnOneReplicaReleasesTheOthers(string error)
    {
        var state = BatchNormState<double>.Init(3);
        var config = new BatchNormConfig { CheckFinite = true };
        var nan = Rows(4, 3);
        nan[1, 2] = double.NaN;

        var outcomes = await Replicas.Each(3, exchange =>
        {
            if (exchange.Rank != 1)
            {
                return BatchNorm.Train(Rows(4, 3), state, config, exchange);
            }

            Thread.Sleep(20);
            return error switch
            {
                "channels" => BatchNorm.Train(Rows(4, 5), state, config, exchange),
                "non-finite" => BatchNorm.Train(nan, state, config, exchange),
                "destination" => BatchNorm.Train(Rows(4, 3), state, config, Tensor<double>.Zeros(3, 4).View, exchange),
                "axis" => BatchNorm.Train(Rows(4, 3), state, config with { Axis = 2 }, exchange),
                "virtual batch" => BatchNorm.Train(Rows(4, 3), state, config with { VirtualBatchSize = 2 }, exchange),
                _ => BatchNorm.Train(Rows(4, 3), null!, config, exchange),
            };
        });

        var local = Assert.IsAssignableFrom<ArgumentException>(outcomes[1].Error);
        Assert.Equal(
            error switch
            {
                "channels" or "null state" => "state",
                "non-finite" => "x",
                "destination" => "destination",
                "axis" => "axis",
                _ => "config",
            },
            local.ParamName);
        foreach (int rank in new[] { 0, 2 })
        {
            var released = Assert.IsType<StatisticsExchangeException>(outcomes[rank].Error);
            Assert.Same(local, released.InnerException);
        }
    }

    /// <summary>
    /// The allocating overload with a null input on one replica: that replica must still tell the others (through
    /// <see cref="IStatisticsExchange.Fail"/>) that it will not reach the handshake, as every other local error does.
    /// </summary>
    [Fact]
    public async Task ANullInputOnOneReplicaReleasesTheOthers()
    {
        var state = BatchNormState<double>.Init(3);

        var outcomes = await Replicas.Each(2, exchange =>
            BatchNorm.Train(exchange.Rank == 1 ? null! : Rows(4, 3), state, null, exchange));

        Assert.Equal("x", Assert.IsType<ArgumentNullException>(outcomes[1].Error).ParamName);
        Assert.IsType<StatisticsExchangeException>(outcomes[0].Error);
    }

    [Fact]
    public async Task EmptyBatchesOnEveryReplicaAreAnArgumentErrorOnEach()
    {
        var empty = TensorView<double>.Create(Array.Empty<double>(), 0, 3);

        var outcomes = await Replicas.Each(3, exchange => BatchNorm.Train(empty, BatchNormState<double>.Init(3), null, exchange));

        Assert.All(outcomes, outcome =>
        {
            var error = Assert.IsType<ArgumentException>(outcome.Error);
            Assert.Equal("x", error.ParamName);
            Assert.Contains("no elements on any worker", error.Message, StringComparison.Ordinal);
        });
    }

    /// <summary>Rank 4 feeds the unbiased variance; replica 0 holds one element per channel, replica 1 none: global n = 1.</summary>
    [Fact]
    public async Task AGlobalCountOfOneWithTheUnbiasedVarianceIsAnArgumentErrorOnEach()
    {
        var outcomes = await Replicas.Each(2, exchange =>
            BatchNorm.Train(Rows(exchange.Rank == 0 ? 1 : 0, 1, 1, 3), BatchNormState<double>.Init(3), null, exchange));

        Assert.All(outcomes, outcome =>
        {
            var error = Assert.IsType<ArgumentException>(outcome.Error);
            Assert.Equal("x", error.ParamName);
            Assert.Contains("n = 1", error.Message, StringComparison.Ordinal);
        });

        // The same split with the biased estimator (or skip) is fine: y = beta on the one sample.
        var biased = await Replicas.Each(2, exchange =>
            BatchNorm.Train(
                Rows(exchange.Rank == 0 ? 1 : 0, 1, 1, 3), BatchNormState<double>.Init(3),
                new BatchNormConfig { MovingVariance = VarianceEstimator.Biased }, exchange).Output.ToArray());
        Assert.Equal([0.0, 0, 0], biased[0].Result);
        Assert.Empty(biased[1].Result);
    }

    /// <summary>The backward pass is collective: a bad dy on one replica is its ArgumentException and releases the others.</summary>
    [Fact]
    public async Task ALocalErrorInTheCollectiveBackwardReleasesTheOthers()
    {
        var state = BatchNormState<double>.Init(3);

        var outcomes = await Replicas.Each(3, exchange =>
        {
            var train = BatchNorm.Train(Rows(4, 3), state, null, exchange);
            if (exchange.Rank == 2)
            {
                Thread.Sleep(20);
                return BatchNorm.Backward(Rows(4, 2), train);
            }

            return BatchNorm.Backward(Rows(4, 3), train);
        });

        var local = Assert.IsType<ArgumentException>(outcomes[2].Error);
        Assert.Equal("dy", local.ParamName);
        foreach (int rank in new[] { 0, 1 })
        {
            Assert.Same(local, Assert.IsType<StatisticsExchangeException>(outcomes[rank].Error).InnerException);
        }
    }

    /// <summary>The handshake itself (internal): channel count and element size must agree everywhere.</summary>
    [Fact]
    public async Task TheHandshakeFailsOnEveryReplicaOrNone()
    {
        var agreed = await Replicas.Each(3, exchange =>
        {
            SyncStatistics.Agree(exchange, 7, 8);
            return true;
        });
        Assert.All(agreed, outcome => Assert.True(outcome.Result));

        var disagreed = await Replicas.Each(3, exchange =>
        {
            SyncStatistics.Agree(exchange, exchange.Rank == 1 ? 5 : 4, 4);
            return true;
        });
        Assert.All(disagreed, outcome =>
            Assert.Contains("rank 1: 5 channels of float32", Assert.IsType<StatisticsExchangeException>(outcome.Error).Message, StringComparison.Ordinal));
    }

    /// <summary>AllMerge is Chan's merge in rank order, the same bits on every replica; AllSum adds in rank order.</summary>
    [Fact]
    public async Task TheCollectivesMergeAndSumInRankOrder()
    {
        BatchMoments[] parts =
        [
            new(3, ReadOnlyVector.Create(1.0, -2), ReadOnlyVector.Create(0.5, 4)),
            BatchMoments.Empty(2),
            new(1, ReadOnlyVector.Create(1e8, 0.1), ReadOnlyVector.Create(0.0, 0)),
            new(5, ReadOnlyVector.Create(-3.0, 7), ReadOnlyVector.Create(2.0, 1e-3)),
        ];

        var outcomes = await Replicas.Each(4, exchange =>
        {
            var merged = SyncStatistics.AllMerge(exchange, parts[exchange.Rank]);
            double[] sums = [exchange.Rank + 0.1, 1e16 * (exchange.Rank == 0 ? 1 : exchange.Rank == 1 ? -1 : 0)];
            SyncStatistics.AllSum(exchange, sums);
            return (merged, sums);
        });

        var expected = BatchMoments.Merge(parts);
        Assert.All(outcomes, outcome => Assert.Equal(expected, outcome.Result.merged));
        Assert.All(outcomes, outcome => Assert.Equal([0.1 + 1.1 + 2.1 + 3.1, 0.0], outcome.Result.sums));
    }

    /// <summary>A row-major tensor of distinct values.</summary>
    private static TensorView<double> Rows(params int[] lengths)
    {
        var shape = TensorShape.RowMajor(lengths);
        var data = Enumerable.Range(0, (int)shape.ElementCount).Select(i => (i * 0.75) - (i % 3)).ToArray();
        return new TensorView<double>(data, shape);
    }
}
