using BnNative.Normalization;
using BnNative.Sync;
using BnNative.Tensors;

namespace BnNative.Tests.Distributed;

/// <summary>
/// What a synchronized step asks of any <see cref="IStatisticsExchange"/> (an MPI one included): the collectives it
/// makes, in order and with their lengths, and <see cref="IStatisticsExchange.Fail"/> before a local error leaves.
/// </summary>
public sealed class StatisticsExchangeContractTests
{
    [Fact]
    public void ATrainingStepHandshakesThenGathersCountMeansAndM2()
    {
        var exchange = new RecordingExchange();
        var x = TensorView<double>.Create(new double[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 }, 3, 3);

        BatchNorm.Train(x, BatchNormState<double>.Init(3), null, exchange);

        // [channels, element bytes], then [n, mean × C, M2 × C].
        Assert.Equal([2, 1 + (2 * 3)], exchange.Lengths);
        Assert.Equal([3.0, 8], exchange.Contributions[0]);
        Assert.Equal([3.0, 4, 5, 6, 18, 18, 18], exchange.Contributions[1]);
        Assert.Empty(exchange.Failures);
    }

    [Fact]
    public void TheBackwardOfASynchronizedStepSumsDyAndDotAcrossWorkers()
    {
        var exchange = new RecordingExchange();
        var x = TensorView<float>.Create(new float[] { 1, 2, 3, 4 }, 2, 2);
        var train = BatchNorm.Train(x, BatchNormState<float>.Init(2), null, exchange);

        BatchNorm.Backward(TensorView<float>.Create(new float[] { 1, 0, 2, 5 }, 2, 2), train);

        // Σdy per channel [3, 5], then Σ(x − mu)·dy per channel [(−1)·1 + 1·2, (−1)·0 + 1·5].
        Assert.Equal([2, 5, 4], exchange.Lengths);
        Assert.Equal([2.0, 4], exchange.Contributions[0]);
        Assert.Equal([3.0, 5, 1, 5], exchange.Contributions[2]);
    }

    [Fact]
    public void APlainStepUsesNoExchangeAndItsBackwardNeither()
    {
        var exchange = new RecordingExchange();
        var x = TensorView<double>.Create(new double[] { 1, 2, 3, 4 }, 2, 2);

        var plain = BatchNorm.Train(x, BatchNormState<double>.Init(2));
        BatchNorm.Backward(x, plain);

        Assert.Empty(exchange.Lengths);
    }

    [Fact]
    public void ALocalErrorIsReportedThroughFailBeforeItIsThrown()
    {
        var exchange = new RecordingExchange();
        var x = TensorView<double>.Create(new double[] { 1, 2, 3, 4 }, 2, 2);

        var error = Assert.Throws<ArgumentException>(() => BatchNorm.Train(x, BatchNormState<double>.Init(3), null, exchange));

        Assert.Same(error, Assert.Single(exchange.Failures));
        Assert.Empty(exchange.Lengths);

        var train = BatchNorm.Train(x, BatchNormState<double>.Init(2), null, exchange);
        var dyError = Assert.Throws<ArgumentException>(() => BatchNorm.Backward(TensorView<double>.Create(new double[3], 3, 1), train));
        Assert.Same(dyError, exchange.Failures[1]);
        Assert.Equal(2, exchange.Lengths.Count);
    }

    /// <summary>A single worker that records every collective and failure.</summary>
    private sealed class RecordingExchange : IStatisticsExchange
    {
        public List<int> Lengths { get; } = [];

        public List<double[]> Contributions { get; } = [];

        public List<Exception> Failures { get; } = [];

        public int Rank => 0;

        public int Size => 1;

        public void AllGather(ReadOnlySpan<double> local, Span<double> gathered)
        {
            Lengths.Add(local.Length);
            Contributions.Add(local.ToArray());
            local.CopyTo(gathered);
        }

        public void Fail(Exception reason) => Failures.Add(reason);
    }
}
