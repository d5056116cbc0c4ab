using BnNative.Collections;
using BnNative.Moments;

namespace BnNative.Tests.Core;

public sealed class BatchMomentsTests
{
    /// <summary>Moments of [1, 2]: n 2, mean 1.5, M2 0.25 + 0.25.</summary>
    private static readonly BatchMoments OneTwo = Moments(2, [1.5], [0.5]);

    /// <summary>Moments of [3, 4, 5]: n 3, mean 4, M2 1 + 0 + 1.</summary>
    private static readonly BatchMoments ThreeFourFive = Moments(3, [4], [2]);

    /// <summary>Moments of [1 .. 5]: n 5, mean 3, M2 4 + 1 + 0 + 1 + 4.</summary>
    private static readonly BatchMoments OneToFive = Moments(5, [3], [10]);

    [Fact]
    public void ExposesCountMeanAndM2()
    {
        var moments = Moments(4, [1, -2], [3, 0]);

        Assert.Equal(4, moments.Count);
        Assert.Equal(2, moments.Channels);
        Assert.Equal([1.0, -2.0], moments.Mean);
        Assert.Equal([3.0, 0.0], moments.M2);
    }

    [Fact]
    public void VarianceDividesByNOrNMinusOne()
    {
        var moments = Moments(3, [3, 4], [8, 8]);

        Assert.Equal([8.0 / 3, 8.0 / 3], moments.Variance());
        Assert.Equal([8.0 / 3, 8.0 / 3], moments.Variance(VarianceEstimator.Biased));
        Assert.Equal([4.0, 4.0], moments.Variance(VarianceEstimator.Unbiased));
    }

    [Fact]
    public void UnbiasedVarianceNeedsTwoElements()
    {
        var single = Moments(1, [7], [0]);

        Assert.Equal([0.0], single.Variance(VarianceEstimator.Biased));
        var error = Assert.Throws<InvalidOperationException>(() => single.Variance(VarianceEstimator.Unbiased));
        Assert.Contains("n = 1", error.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => BatchMoments.Empty(1).Variance());
        ParamAssert.Throws<ArgumentOutOfRangeException>("estimator", () => single.Variance((VarianceEstimator)5));
    }

    [Fact]
    public void ChanMergeByHand()
    {
        var merged = BatchMoments.Merge(OneTwo, ThreeFourFive);

        Assert.Equal(5, merged.Count);
        Assert.Equal(3.0, merged.Mean[0], 1e-14);
        Assert.Equal(10.0, merged.M2[0], 1e-13);
        Assert.Equal(2.0, merged.Variance()[0], 1e-14);
    }

    [Fact]
    public void ChanMergeIsSymmetricOnThisCase()
    {
        var forward = BatchMoments.Merge(OneTwo, ThreeFourFive);
        var backward = BatchMoments.Merge(ThreeFourFive, OneTwo);

        Assert.Equal(OneToFive.Mean[0], backward.Mean[0], 1e-14);
        Assert.Equal(OneToFive.M2[0], backward.M2[0], 1e-13);
        Assert.Equal(forward.Count, backward.Count);
    }

    [Fact]
    public void MergeOfManyPartsFoldsLeftToRight()
    {
        var parts = new[] { Moments(1, [1], [0]), Moments(1, [2], [0]), ThreeFourFive };

        var merged = BatchMoments.Merge(parts);

        Assert.Equal(BatchMoments.Merge(BatchMoments.Merge(parts[0], parts[1]), parts[2]), merged);
        Assert.Equal(3.0, merged.Mean[0], 1e-14);
        Assert.Equal(10.0, merged.M2[0], 1e-13);
        Assert.Same(OneTwo, BatchMoments.Merge([OneTwo]));
    }

    [Fact]
    public void EmptyIsTheIdentityOfMerge()
    {
        var moments = Moments(3, [1, 2], [4, 5]);
        var empty = BatchMoments.Empty(2);

        Assert.Equal(0, empty.Count);
        Assert.Equal([0.0, 0.0], empty.Mean);
        Assert.Equal(moments, BatchMoments.Merge(moments, empty));
        Assert.Equal(moments, BatchMoments.Merge(empty, moments));
        Assert.Equal(empty, BatchMoments.Merge(empty, BatchMoments.Empty(2)));
    }

    [Fact]
    public void RecordEqualityComparesContents()
    {
        var a = Moments(3, [1, 2], [4, 5]);
        var same = Moments(3, [1, 2], [4, 5]);

        Assert.Equal(a, same);
        Assert.True(a == same);
        Assert.Equal(a.GetHashCode(), same.GetHashCode());
        Assert.NotEqual(a, Moments(4, [1, 2], [4, 5]));
        Assert.NotEqual(a, Moments(3, [1, 2.5], [4, 5]));
        Assert.NotEqual(a, Moments(3, [1, 2], [4, 5.5]));
    }

    [Fact]
    public void ConstructorRejectsBadInputs()
    {
        var two = ReadOnlyVector.Create(1.0, 2.0);
        var three = ReadOnlyVector.Create(1.0, 2.0, 3.0);

        ParamAssert.Throws<ArgumentException>("m2", () => new BatchMoments(2, two, three));
        ParamAssert.Throws<ArgumentOutOfRangeException>("count", () => new BatchMoments(-1, two, two));
        ParamAssert.Throws<ArgumentOutOfRangeException>("m2", () => new BatchMoments(2, two, ReadOnlyVector.Create(1.0, -1e-300)));
        ParamAssert.Throws<ArgumentNullException>("mean", () => new BatchMoments(2, null!, two));
        ParamAssert.Throws<ArgumentNullException>("m2", () => new BatchMoments(2, two, null!));
    }

    [Fact]
    public void MergeRejectsBadInputs()
    {
        var one = Moments(2, [1], [1]);
        var two = Moments(2, [1, 2], [1, 1]);

        ParamAssert.Throws<ArgumentException>("second", () => BatchMoments.Merge(one, two));
        ParamAssert.Throws<ArgumentException>("second", () => BatchMoments.Merge(BatchMoments.Empty(1), BatchMoments.Empty(2)));
        ParamAssert.Throws<ArgumentNullException>("first", () => BatchMoments.Merge(null!, one));
        ParamAssert.Throws<ArgumentNullException>("second", () => BatchMoments.Merge(one, null!));
        ParamAssert.Throws<ArgumentException>("parts", () => BatchMoments.Merge([]));
        ParamAssert.Throws<ArgumentNullException>("parts", () => BatchMoments.Merge((IEnumerable<BatchMoments>)null!));
    }

    [Fact]
    public void EmptyRejectsANegativeChannelCountByName()
    {
        ParamAssert.Throws<ArgumentOutOfRangeException>("channels", () => BatchMoments.Empty(-1));
    }

    private static BatchMoments Moments(long count, double[] mean, double[] m2) =>
        new(count, ReadOnlyVector.Create<double>(mean), ReadOnlyVector.Create<double>(m2));
}
