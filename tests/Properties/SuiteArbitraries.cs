using FsCheck;
using FsCheck.Fluent;

namespace BnNative.Tests.Properties;

/// <summary>
/// The suite's arbitraries beyond the package's <see cref="BnNativeArbitraries"/>; <see cref="MomentsPropertyAttribute"/>
/// registers both.
/// </summary>
public static class SuiteArbitraries
{
    /// <summary>Small tensors (<see cref="BnNativeArbitraries.Tensors"/>) cut along a reduction axis into two to four consecutive parts, some possibly empty.</summary>
    public static Arbitrary<BatchSplit> Splits() => Arb.From(
        from tensor in TensorGenerators.Tensors(TensorGenerators.BothTypes, ValueDraws.Standard)
        let axis = tensor.ChannelAxis == 0 ? 1 : 0
        from cuts in CutPoints(tensor.Lengths[axis])
        select new BatchSplit(tensor, axis, cuts));

    private static Gen<int[]> CutPoints(int length) =>
        from count in Gen.Choose(1, 3)
        from cuts in Gen.ArrayOf(Gen.Choose(0, length), count)
        select cuts.Order().ToArray();
}
