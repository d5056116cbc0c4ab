using BnNative.Moments;

namespace BnNative.Tests.Core;

public sealed class MomentsBackendTests
{
    [Theory]
    [InlineData("reference", "reference")]
    [InlineData("SIMD", "simd")]
    [InlineData("  Auto ", "simd")]
    public void ParseFindsTheManagedBackends(string text, string name)
    {
        var backend = MomentsBackend.Parse(text);

        Assert.Equal(name, backend.Name);
        Assert.Equal(name, backend.ToString());
    }

    [Fact]
    public void ManagedBackendsAreSingletons()
    {
        Assert.Same(MomentsBackend.Reference, MomentsBackend.Parse("reference"));
        Assert.Same(MomentsBackend.Simd, MomentsBackend.Parse("simd"));
        Assert.Same(MomentsBackend.Auto, MomentsBackend.Parse("auto"));
        Assert.NotSame(MomentsBackend.Reference, MomentsBackend.Simd);
    }

    [Fact]
    public void AutoIsTheSimdBackend()
    {
        // Auto chose Simd on every measured shape (the CBLAS backends never beat it), so it is Simd itself.
        Assert.Same(MomentsBackend.Simd, MomentsBackend.Auto);
        Assert.Same(MomentsBackend.Simd, MomentsBackend.Parse("auto"));
    }

    [BackendTheory]
    public void ParsedNameRoundTrips(string backend)
    {
        var moments = TestBackends.Get(backend);

        Assert.Equal(backend, moments.Name, ignoreCase: true);
    }
}
