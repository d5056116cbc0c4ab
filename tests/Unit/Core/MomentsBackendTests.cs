using BnNative.Moments;

namespace BnNative.Tests.Core;

public sealed class MomentsBackendTests
{
    [Theory]
    [InlineData("reference", "reference")]
    [InlineData("SIMD", "simd")]
    [InlineData("  Auto ", "auto")]
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
    public void ConcreteBackendsResolveToThemselves()
    {
        var x = TestTensors.Iota(4, 3);

        Assert.Same(MomentsBackend.Reference, MomentsBackend.Reference.Resolve<float>(x.Shape, 1));
        Assert.Same(MomentsBackend.Simd, MomentsBackend.Simd.Resolve<float>(x.Shape, 1));
    }

    [Theory]
    [InlineData(new[] { 64, 3 }, 1)]
    [InlineData(new[] { 2, 3, 4, 5 }, 1)]
    [InlineData(new[] { 2, 4, 5, 3 }, 3)]
    public void AutoNamesAConcreteBackendAndAgreesWithIt(int[] lengths, int axis)
    {
        var x = TestTensors.Random(7, lengths);

        var chosen = MomentsBackend.Auto.Resolve<float>(x.Shape, axis);

        Assert.NotSame(MomentsBackend.Auto, chosen);
        Assert.NotEqual("auto", chosen.Name);
        Assert.Equal(chosen.Compute(x, axis, threads: 1), MomentsBackend.Auto.Compute(x, axis, threads: 1));
    }

    [BackendTheory]
    public void ParsedNameRoundTrips(string backend)
    {
        var moments = TestBackends.Get(backend);

        Assert.Equal(backend, moments.Name, ignoreCase: true);
    }
}
