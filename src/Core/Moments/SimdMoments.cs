using BnNative.Kernels;

namespace BnNative.Moments;

/// <summary>
/// Managed vectorized moments: the shifted sums of <see cref="ShiftedSumsBackend"/> through the shared reduction loop
/// (<see cref="ChannelSums"/> with <see cref="ShiftedSquares{T}"/>), accumulated in the element type over at most
/// <see cref="ShiftedSumsBackend.FoldLength"/> elements per lane and folded into double.
/// </summary>
internal sealed unsafe class SimdMoments : ShiftedSumsBackend
{
    public override string Name => "simd";

    private protected override bool ManagedSums => true;

    private protected override void Accumulate<T>(in ChannelLayout layout, T* a, T* table, int tableStride, Span<ChannelAccumulator> totals, int threads) =>
        ChannelSums.Run(layout, a, a, table, tableStride, &ChannelSums.Accumulate<T, ShiftedSquares<T>>, 0, totals, threads);
}
