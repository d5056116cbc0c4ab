namespace BnNative.Tests.Properties;

/// <summary>
/// SPEC §2: the same logical channels-first tensor (NCL, NCHW, NCDHW) gives the same moments, to rounding, whether
/// it is stored channels-first (axis 1), copied channels-last (axis rank−1), viewed channels-last over
/// channels-first memory, or viewed channels-first over channels-last memory.
/// </summary>
public sealed class LayoutInvarianceProperties
{
    private const int MaxTest = 100;

    /// <summary>Four layouts of one logical tensor, one backend.</summary>
    [BackendTheory]
    public void MomentsDoNotDependOnLayout(string backend)
    {
        var moments = TestBackends.Get(backend);
        PropertyCheck.ForAll(
            TensorGenerators.ChannelsFirstTensors(TensorGenerators.BothTypes, ValueDraws.Standard),
            x =>
            {
                int last = x.Rank - 1;
                var toChannelsLast = Enumerable.Range(0, x.Rank).Where(axis => axis != 1).Append(1).ToArray();
                var toChannelsFirst = new[] { 0, last }.Concat(Enumerable.Range(1, last - 1)).ToArray();
                var channelsFirst = StoredTensor.Of(x);
                var channelsLast = channelsFirst.Permute(toChannelsLast).ToContiguous();
                var expected = channelsFirst.Compute(moments, 1);
                var scale = x.Statistics();
                var tolerance = MomentTolerance.For(x);
                tolerance.Verify(scale, expected, channelsLast.Compute(moments, last));
                tolerance.Verify(scale, expected, channelsFirst.Permute(toChannelsLast).Compute(moments, last));
                tolerance.Verify(scale, expected, channelsLast.Permute(toChannelsFirst).Compute(moments, 1));
            },
            MaxTest);
    }
}
