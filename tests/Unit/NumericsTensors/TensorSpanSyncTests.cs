using System.Numerics.Tensors;
using BnNative.Collections;
using BnNative.Normalization;
using BnNative.NumericsTensors;
using BnNative.Sync;
using BnNative.Tensors;
using BnNative.Tests.Distributed;

namespace BnNative.Tests.NumericsTensors;

/// <summary>
/// Synchronized steps over tensor spans: replicas give the bits the same replicas give over views (output, state,
/// collective backward), and a span one replica's checks reject releases the others instead of leaving them waiting.
/// </summary>
public sealed class TensorSpanSyncTests
{
    /// <summary>Samples of each replica's part of the batch ([n, 2, 3], channels last): uneven, one empty.</summary>
    private static readonly int[] Parts = [3, 0, 2];

    private static readonly BatchNormConfig Config = new() { EmaUpdate = EmaUpdate.Internal };

    [Fact]
    public async Task ReplicasOverSpansMatchReplicasOverViewsBitwise()
    {
        var state = BatchNormState<double>.Init(3) with { Gamma = ReadOnlyVector.Create(1.5, -0.5, 2.0) };
        var layouts = Parts.Select(n => SpanLayout.Gapped(1, 2, n, 2, 3)).ToArray();
        var xs = layouts.Select((layout, rank) => layout.Buffer(30 + rank, 0d)).ToArray();
        var dys = layouts.Select((layout, rank) => layout.Buffer(40 + rank, 0d)).ToArray();

        var viaViews = await Replicas.Each(Parts.Length, exchange =>
        {
            var layout = layouts[exchange.Rank];
            var y = layout.Filled(-1d);
            var dx = layout.Filled(-1d);
            var train = BatchNorm.Train(layout.View(xs[exchange.Rank]), state, Config, layout.View(y), exchange);
            var gradients = BatchNorm.Backward(layout.View(dys[exchange.Rank]), train, layout.View(dx));
            return (y, dx, train.NextState, gradients.GammaGradient, gradients.BetaGradient);
        });
        var viaSpans = await Replicas.Each(Parts.Length, exchange =>
        {
            var layout = layouts[exchange.Rank];
            var y = layout.Filled(-1d);
            var dx = layout.Filled(-1d);
            var train = TensorSpanBatchNorm.Train(layout.Span(xs[exchange.Rank]), state, Config, layout.Span(y), exchange);
            var gradients = TensorSpanBatchNorm.Backward(layout.Span(dys[exchange.Rank]), layout.Span(xs[exchange.Rank]), train, layout.Span(dx));
            return (y, dx, train.NextState, gradients.GammaGradient, gradients.BetaGradient);
        });

        for (int rank = 0; rank < Parts.Length; rank++)
        {
            Assert.Null(viaViews[rank].Error);
            Assert.Null(viaSpans[rank].Error);
            var (expectedY, expectedDx, expectedState, expectedGamma, expectedBeta) = viaViews[rank].Value;
            var (y, dx, nextState, gammaGradient, betaGradient) = viaSpans[rank].Value;
            BitsAssert.Output(layouts[rank], expectedY, y, -1d, $"rank {rank}: y");
            BitsAssert.Output(layouts[rank], expectedDx, dx, -1d, $"rank {rank}: dx");
            Assert.Equal(expectedState, nextState);
            Assert.Equal(expectedGamma, gammaGradient);
            Assert.Equal(expectedBeta, betaGradient);
        }

        Assert.NotEqual(BatchNormState<double>.Init(3) with { Gamma = state.Gamma }, viaSpans[0].Value.NextState);
    }

    [Fact]
    public async Task ARejectedDestinationOnOneReplicaReleasesTheOthers()
    {
        var state = BatchNormState<float>.Init(3);

        var outcomes = await Replicas.Each(3, exchange =>
        {
            var x = new float[12];
            var y = new float[12];

            // Replica 1 writes its output over its input.
            return TensorSpanBatchNorm.Train(
                new ReadOnlyTensorSpan<float>(x, [4, 3]), state, null, new TensorSpan<float>(exchange.Rank == 1 ? x : y, [4, 3]), exchange).NextState;
        });

        Assert.Equal("destination", Assert.IsType<ArgumentException>(outcomes[1].Error).ParamName);
        Assert.IsType<StatisticsExchangeException>(outcomes[0].Error);
        Assert.IsType<StatisticsExchangeException>(outcomes[2].Error);
    }

    [Fact]
    public async Task ARejectedBackwardInputOnOneReplicaReleasesTheOthers()
    {
        var state = BatchNormState<float>.Init(3);

        var outcomes = await Replicas.Each(2, exchange =>
        {
            var x = Enumerable.Range(0, 24).Select(i => (float)(i % 7)).ToArray();
            var train = TensorSpanBatchNorm.Train(new ReadOnlyTensorSpan<float>(x, [4, 3], [6, 1]), state, null, new TensorSpan<float>(new float[12], [4, 3]), exchange);

            // Replica 0 passes x back with other strides than it trained on.
            var input = exchange.Rank == 0 ? new ReadOnlyTensorSpan<float>(x, [4, 3], [3, 1]) : new ReadOnlyTensorSpan<float>(x, [4, 3], [6, 1]);
            return TensorSpanBatchNorm.Backward(new ReadOnlyTensorSpan<float>(new float[12], [4, 3]), input, train, new TensorSpan<float>(new float[12], [4, 3]));
        });

        Assert.Equal("x", Assert.IsType<ArgumentException>(outcomes[0].Error).ParamName);
        Assert.IsType<StatisticsExchangeException>(outcomes[1].Error);
    }

    [Fact]
    public void ANullExchangeIsRejected() =>
        Tests.Core.ParamAssert.Throws<ArgumentNullException>(
            "sync",
            () => TensorSpanBatchNorm.Train(new ReadOnlyTensorSpan<float>(new float[6], [2, 3]), BatchNormState<float>.Init(3), null, new TensorSpan<float>(new float[6], [2, 3]), null!));
}
