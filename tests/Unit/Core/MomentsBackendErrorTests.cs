using BnNative.Moments;
using BnNative.Tensors;

namespace BnNative.Tests.Core;

public sealed class MomentsBackendErrorTests
{
    private const string MissingLibrary = "/nonexistent/libfoo.so";

    [BackendTheory]
    public void NullInputIsRejected(string backend)
    {
        var moments = TestBackends.Get(backend);

        ParamAssert.Throws<ArgumentNullException>("x", () => moments.Compute<float>(null!, 1));
    }

    [BackendTheory]
    public void RankOneIsRejected(string backend)
    {
        var x = TensorView<float>.Create(new float[] { 1, 2, 3 }, 3);

        var error = ParamAssert.Throws<ArgumentException>("x", () => TestBackends.Get(backend).Compute(x, 0));
        Assert.Contains("rank 1", error.Message, StringComparison.Ordinal);
    }

    [BackendTheory]
    public void ChannelAxisOutsideTheRankIsRejected(string backend)
    {
        var moments = TestBackends.Get(backend);
        var x = TestTensors.Iota(2, 3);

        ParamAssert.Throws<ArgumentOutOfRangeException>("channelAxis", () => moments.Compute(x, 2));
        ParamAssert.Throws<ArgumentOutOfRangeException>("channelAxis", () => moments.Compute(x, -3));
    }

    [BackendTheory]
    public void EmptyReductionIsRejected(string backend)
    {
        var moments = TestBackends.Get(backend);

        ParamAssert.Throws<ArgumentException>("x", () => moments.Compute(TestTensors.Iota(0, 3), 1));
        ParamAssert.Throws<ArgumentException>("x", () => moments.Compute(TestTensors.Iota(4, 3, 2, 2).Slice(2, 1, 0), 1));
    }

    [BackendTheory]
    public void ZeroChannelsAreRejected(string backend)
    {
        var x = new TensorView<double>(new double[4], TensorShape.RowMajor(4, 0));

        var error = ParamAssert.Throws<ArgumentException>("x", () => TestBackends.Get(backend).Compute(x, 1));
        Assert.Contains("no channels", error.Message, StringComparison.Ordinal);
    }

    [BackendTheory]
    public void ThreadsBelowOneAreRejected(string backend)
    {
        var moments = TestBackends.Get(backend);
        var x = TestTensors.Iota(4, 3);

        ParamAssert.Throws<ArgumentOutOfRangeException>("threads", () => moments.Compute(x, 1, threads: 0));
        ParamAssert.Throws<ArgumentOutOfRangeException>("threads", () => moments.Compute(x, 1, threads: -2));
    }

    [Theory]
    [InlineData("")]
    [InlineData("fast")]
    [InlineData("openblas")]
    [InlineData("simd:2")]
    public void ParseRejectsUnknownNames(string name)
    {
        var error = ParamAssert.Throws<ArgumentException>("name", () => MomentsBackend.Parse(name));
        Assert.Contains("reference, simd, auto", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseRejectsNull()
    {
        ParamAssert.Throws<ArgumentNullException>("name", () => MomentsBackend.Parse(null!));
    }

    [Fact]
    public void CblasWithAMissingLibraryListsWhatWasTried()
    {
        var error = Assert.Throws<NativeBackendUnavailableException>(() => MomentsBackend.Cblas(MissingLibrary));

        Assert.Contains(MissingLibrary, error.Message, StringComparison.Ordinal);
        Assert.IsType<InvalidOperationException>(error, exactMatch: false);
    }

    [Fact]
    public void ParseOfAMissingNativeLibraryIsUnavailableNotUnknown()
    {
        var error = Assert.Throws<NativeBackendUnavailableException>(() => MomentsBackend.Parse("cblas:" + MissingLibrary));

        Assert.Contains(MissingLibrary, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CblasWithABogusVendorNameSaysWhatIsAccepted()
    {
        var error = Assert.Throws<NativeBackendUnavailableException>(() => MomentsBackend.Cblas("nosuchblas"));

        Assert.Contains("nosuchblas", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryCblasReturnsFalseWithTheReason()
    {
        Assert.False(MomentsBackend.TryCblas(MissingLibrary, out var backend, out string failure));

        Assert.Null(backend);
        Assert.Contains(MissingLibrary, failure, StringComparison.Ordinal);
    }
}
