using BnNative.Native.Blas;

namespace BnNative.Tests.Blas;

[Collection(NativeBlasCollection.Name)]
public sealed class CblasLibraryLoadingTests
{
    private const string BogusPath = "/nonexistent/bnnative/libnotablas.so.9";

    [BlasTheory]
    public void Load_IdentifiesTheVendorFromItsExports(BlasVendor vendor)
    {
        var library = CblasLibrary.Load(vendor.ConfigName());

        Assert.Equal(vendor, library.Vendor);
        Assert.True(File.Exists(library.Path), $"Path '{library.Path}' should be the loaded file");
        string expectedConfigStart = vendor switch
        {
            BlasVendor.OpenBlas => "OpenBLAS ",
            BlasVendor.Blis => "BLIS ",
            _ => "reference BLAS",
        };
        Assert.StartsWith(expectedConfigStart, library.Config, StringComparison.Ordinal);
        Assert.Equal(vendor is BlasVendor.OpenBlas or BlasVendor.Blis, library.CoreName is not null);
    }

    /// <summary>The one-line description names the version, the kernel set (and what forced it) and the file.</summary>
    [BlasTheory]
    public void Describe_NamesTheVersionKernelAndFile(BlasVendor vendor)
    {
        var library = CblasLibrary.Load(vendor.ConfigName());

        string line = library.Describe();

        Assert.EndsWith(library.Path, line, StringComparison.Ordinal);
        Assert.Contains(library.CoreName is null ? "kernel not reported" : $"kernel {library.CoreName}", line, StringComparison.Ordinal);
        Assert.StartsWith(vendor == BlasVendor.OpenBlas ? "OpenBLAS 0." : library.Config, line, StringComparison.Ordinal);
        Assert.Contains(
            library.Threads is { } n ? $", {n} thread{(n == 1 ? string.Empty : "s")} ({library.ThreadsSource}), " : ", single-threaded, ",
            line,
            StringComparison.Ordinal);
        string? forcing = vendor switch
        {
            BlasVendor.OpenBlas => "OPENBLAS_CORETYPE",
            BlasVendor.Blis => "BLIS_ARCH_TYPE",
            _ => null,
        };
        if (forcing is not null && Environment.GetEnvironmentVariable(forcing) is { Length: > 0 } value)
        {
            Assert.Contains($"({forcing}={value})", line, StringComparison.Ordinal);
        }
    }

    [BlasTheory]
    public void Load_ReturnsOneInstancePerLoadedFile(BlasVendor vendor)
    {
        var library = CblasLibrary.Load(vendor);

        Assert.Same(library, CblasLibrary.Load(vendor.ConfigName().ToUpperInvariant()));
        Assert.Same(library, CblasLibrary.Load(library.Path));
        Assert.True(CblasLibrary.TryLoad(vendor.ConfigName(), out var again, out string failure));
        Assert.Same(library, again);
        Assert.Empty(failure);
    }

    [BlasTheory]
    public void ProbeAll_ReportsEveryVendorInSearchOrder(BlasVendor vendor)
    {
        var probes = CblasLibrary.ProbeAll();

        Assert.Equal([BlasVendor.Mkl, BlasVendor.OpenBlas, BlasVendor.Blis, BlasVendor.Reference], probes.Select(p => p.Requested));
        var probe = probes.Single(p => p.Requested == vendor);
        Assert.True(probe.Loaded, probe.Failure);
        Assert.Same(CblasLibrary.Load(vendor), probe.Library);
        Assert.Equal(probe.Library!.Path, probe.Path);
        Assert.Null(probe.Failure);
        var mkl = probes[0];
        Assert.True(mkl.Loaded || (mkl.Failure!.Contains("mkl_rt", StringComparison.Ordinal) && mkl.Library is null));
    }

    [BlasTheory]
    public void Threads_CanBeSetWhereTheLibraryHasAThreadControl(BlasVendor vendor)
    {
        var library = CblasLibrary.Load(vendor);
        int? before = library.Threads;
        try
        {
            bool set = library.TrySetThreads(1);

            Assert.Equal(vendor != BlasVendor.Reference, set);
            Assert.Equal(set ? 1 : null, library.Threads);
            Assert.Equal(set ? "set by TrySetThreads" : "no thread control", library.ThreadsSource);
        }
        finally
        {
            if (before is int threads)
            {
                library.TrySetThreads(threads);
            }
        }

        Assert.Equal(before, library.Threads);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => library.TrySetThreads(0));
        Assert.Equal("n", error.ParamName);
    }

    /// <summary>
    /// The first load applies <see cref="BlasThreadPolicy"/> to this process's environment. Other tests (and the demo's
    /// matrix products) may have called TrySetThreads on the same library before this one runs; then the source says so.
    /// </summary>
    [BlasTheory]
    public void Load_AppliesTheThreadPolicyUnlessACallerChangedTheCount(BlasVendor vendor)
    {
        var library = CblasLibrary.Load(vendor);
        var choice = BlasThreadPolicy.Decide(vendor, Environment.GetEnvironmentVariable, Environment.ProcessorCount);

        if (library.ThreadsSource != "set by TrySetThreads")
        {
            Assert.Equal(choice.Source, library.ThreadsSource);
            if (choice.Threads is { } threads)
            {
                Assert.Equal(threads, library.Threads);
            }
        }

        Assert.Equal(vendor == BlasVendor.Reference, library.Threads is null);
    }

    [BlasTheory]
    public void Load_RejectsALibraryThatIsNotTheVendorAskedFor(BlasVendor vendor)
    {
        var library = CblasLibrary.Load(vendor);
        var other = vendor == BlasVendor.Reference ? BlasVendor.OpenBlas : BlasVendor.Reference;

        Assert.Null(CblasLibrary.TryLoad(new BlasCandidate(library.Path, other), out string reason));
        Assert.Equal($"is {vendor.DisplayName()} ({library.Path}), not {other.DisplayName()}", reason);
        Assert.Same(library, CblasLibrary.TryLoad(new BlasCandidate(library.Path, null), out _));
    }

    [Fact]
    public void Load_UnknownName_ThrowsArgumentExceptionNamingTheParameter()
    {
        var error = Assert.Throws<ArgumentException>(() => CblasLibrary.Load("atlas"));

        Assert.Equal("nameOrPath", error.ParamName);
        Assert.Contains("'atlas'", error.Message, StringComparison.Ordinal);
        Assert.Contains("mkl, openblas, blis, reference", error.Message, StringComparison.Ordinal);
        Assert.False(CblasLibrary.TryLoad("atlas", out var library, out string failure));
        Assert.Null(library);
        Assert.Contains("'atlas'", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UndefinedVendor_ThrowsArgumentOutOfRange()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => CblasLibrary.Load((BlasVendor)42));

        Assert.Equal("vendor", error.ParamName);
    }

    [Fact]
    public void Load_BogusPath_ListsTheCandidateAndThePackagesToInstall()
    {
        var error = Assert.Throws<BlasLibraryNotFoundException>(() => CblasLibrary.Load(BogusPath));

        Assert.IsAssignableFrom<DllNotFoundException>(error);
        Assert.Equal([BogusPath], error.Candidates);
        Assert.Contains($"{BogusPath}: not found", error.Message, StringComparison.Ordinal);
        if (OperatingSystem.IsLinux())
        {
            Assert.Contains("apt-get install libopenblas0-pthread", error.Message, StringComparison.Ordinal);
            Assert.Contains("apt-get install libblis4", error.Message, StringComparison.Ordinal);
            Assert.Contains("apt-get install libblas3", error.Message, StringComparison.Ordinal);
            Assert.Contains("libmkl-rt", error.Message, StringComparison.Ordinal);
        }

        Assert.False(CblasLibrary.TryLoad(BogusPath, out _, out string failure));
        Assert.Equal(error.Message, failure);
    }

    [Fact]
    public void Load_LibraryWithoutCblas_ReportsTheMissingSymbols()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var error = Assert.Throws<BlasLibraryNotFoundException>(() => CblasLibrary.Load("libm.so.6"));

        Assert.Contains("libm.so.6: missing symbol cblas_sdot, cblas_ddot, cblas_dsdot,", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_Mkl_WhenAbsent_ListsItsCandidatesAndPackage()
    {
        if (CblasLibrary.TryLoad("mkl", out var mkl, out string failure))
        {
            Assert.Equal(BlasVendor.Mkl, mkl.Vendor);
            return;
        }

        foreach (string candidate in BlasCandidates.For(BlasVendor.Mkl))
        {
            Assert.Contains($"\n  {candidate}: ", failure, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("libopenblas", failure, StringComparison.Ordinal);
        Assert.Contains("MKL", failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, null, "any vendor")]
    [InlineData(null, "  ", "any vendor")]
    [InlineData(null, "BLIS", "blis")]
    [InlineData("Reference", "blis", "reference")]
    [InlineData(null, "/opt/lib/libcblas.so", "'/opt/lib/libcblas.so'")]
    [InlineData("libopenblas.so.0", null, "'libopenblas.so.0'")]
    public void LoadPlan_ReadsTheArgumentThenTheEnvironmentVariable(string? nameOrPath, string? environmentValue, string requested)
    {
        Assert.True(BlasLoadPlan.TryCreate(nameOrPath, environmentValue, out var plan, out string? error));

        Assert.Null(error);
        Assert.StartsWith(requested, plan!.Requested, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadPlan_UnknownEnvironmentValue_NamesTheVariable()
    {
        Assert.False(BlasLoadPlan.TryCreate(null, "atlas", out var plan, out string? error));

        Assert.Null(plan);
        Assert.Contains(CblasLibrary.EnvironmentVariable, error, StringComparison.Ordinal);
        var thrown = Assert.Throws<ArgumentException>(() => CblasLibrary.Load(string.Empty));
        Assert.Equal("nameOrPath", thrown.ParamName);
    }

    [Fact]
    public void LoadPlan_AnyVendor_TriesMklThenOpenBlasThenBlisThenReference()
    {
        Assert.True(BlasLoadPlan.TryCreate(null, null, out var plan, out _));

        var order = plan!.Candidates.Select(c => c.Expected).Distinct();
        Assert.Equal<BlasVendor?>([BlasVendor.Mkl, BlasVendor.OpenBlas, BlasVendor.Blis, BlasVendor.Reference], order);
        if (OperatingSystem.IsLinux())
        {
            var reference = plan.Candidates.First(c => c.Expected == BlasVendor.Reference).NameOrPath;
            Assert.EndsWith("/blas/libblas.so.3", reference, StringComparison.Ordinal);
        }
    }
}
