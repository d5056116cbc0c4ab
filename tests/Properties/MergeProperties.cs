using BnNative.Moments;

namespace BnNative.Tests.Properties;

/// <summary>
/// SPEC §3, Chan's merge: the moments of consecutive parts of a batch merge into the moments of the whole, and an
/// empty part is the identity. Parts are slices along a reduction axis (the batch axis unless it holds the
/// channels); moments come from the Reference backend.
/// </summary>
public sealed class MergeProperties
{
    /// <summary>Merge(moments(part 1), moments(part 2)) = moments(whole), for a cut anywhere in [0, length].</summary>
    [MomentsProperty]
    public void MergingTwoPartsGivesTheWhole(BatchSplit split)
    {
        var parts = PartMoments(split with { Cuts = split.Cuts[..1] }).ToArray();
        AssertMergesToWhole(split.Tensor, BatchMoments.Merge(parts[0], parts[1]));
    }

    /// <summary>Merging two to four parts left to right gives the moments of the whole.</summary>
    [MomentsProperty]
    public void MergingPartsInOrderGivesTheWhole(BatchSplit split) =>
        AssertMergesToWhole(split.Tensor, BatchMoments.Merge(PartMoments(split)));

    /// <summary>Merging with the moments of an empty part returns the other moments exactly.</summary>
    [MomentsProperty]
    public void EmptyPartIsTheIdentity(TensorCase x)
    {
        var moments = StoredTensor.Of(x).Compute(MomentsBackend.Reference, x.AxisArgument);
        var empty = BatchMoments.Empty(moments.Channels);
        Assert.Equal(moments, BatchMoments.Merge(moments, empty));
        Assert.Equal(moments, BatchMoments.Merge(empty, moments));
        Assert.Equal(moments, BatchMoments.Merge([empty, moments, empty]));
    }

    private static IEnumerable<BatchMoments> PartMoments(BatchSplit split)
    {
        var whole = StoredTensor.Of(split.Tensor);
        int channels = split.Tensor.Lengths[split.Tensor.ChannelAxis];
        return split.Parts().Select(part => part.Length == 0
            ? BatchMoments.Empty(channels)
            : whole.Slice(split.Axis, part.Start, part.Length).Compute(MomentsBackend.Reference, split.Tensor.AxisArgument));
    }

    private static void AssertMergesToWhole(TensorCase x, BatchMoments merged)
    {
        var whole = StoredTensor.Of(x).Compute(MomentsBackend.Reference, x.AxisArgument);
        MomentTolerance.Double(x.CountPerChannel).Verify(x.Statistics(), whole, merged);
    }
}
