// BnNative build script (classic Cake, run through ./build.sh or `dotnet cake build.cake`).
//
//   Clean -> Restore -> Build -> Pack -> Test      (linear chain, Default = Test)
//   Pack writes every package to artifacts/packages before Test, because the package tests check those files and
//   build samples/Consumer against them (a local folder feed), so a broken package fails the tests.
//   Demo  (after Build: runs the bnnative-demo tool, the main job)
//   Bench (after Build: runs BenchmarkDotNet with --bench-args, default "--filter *")
//
// Arguments: --target=<name> (default "Default"), --configuration=<Debug|Release> (default Release),
//            --bench-args="<BenchmarkDotNet arguments>".
// Cake's own --exclusive runs only the named target, without its dependencies.

var target = Argument("target", "Default");
var configuration = Argument("configuration", "Release");
var benchArgs = Argument("bench-args", "--filter *");
var kernels = Argument("kernels", "all");

/// <summary>Everything the tasks need, resolved once in Setup.</summary>
public sealed record BuildContext(
    string Configuration,
    FilePath Solution,
    DirectoryPath ArtifactsDir,
    DirectoryPath TestResultsDir,
    DirectoryPath PackagesDir,
    IReadOnlyList<FilePath> TestProjects,
    IReadOnlyList<FilePath> FirstPassOnlyTestProjects,
    IReadOnlyList<FilePath> PackProjects,
    FilePath DemoProject,
    FilePath BenchProject,
    string BenchArgs,
    IReadOnlyList<KernelVariant> Kernels);

/// <summary>
/// A configuration the test projects run under again after the run in the inherited environment: OpenBLAS forced to
/// another CPU kernel set (each sums in its own order), BLIS, or the managed kernels with 128-bit vectors. A variant
/// whose instructions the CPU lacks is skipped, and so is one the inherited environment already sets.
/// </summary>
public sealed record KernelVariant(string Name, string Variable, string Value, string[] CpuFlags);

Setup<BuildContext>(ctx =>
{
    var artifacts = MakeAbsolute(Directory("./artifacts"));
    var data = new BuildContext(
        Configuration: configuration,
        Solution: MakeAbsolute(File("./BnNative.sln")),
        ArtifactsDir: artifacts,
        TestResultsDir: artifacts.Combine("test-results"),
        PackagesDir: artifacts.Combine("packages"),
        TestProjects: new[]
        {
            MakeAbsolute(File("./tests/Unit/BnNative.Unit.Tests.csproj")),
            MakeAbsolute(File("./tests/Properties/BnNative.Property.Tests.csproj")),
            MakeAbsolute(File("./tests/Mpi/BnNative.Mpi.Tests.csproj")),
            MakeAbsolute(File("./tests/Packages/BnNative.Package.Tests.csproj")),
        },
        // The package tests read the packed files and build the sample consumer: nothing in them depends on the BLAS
        // kernel, so they run once, in the inherited environment.
        FirstPassOnlyTestProjects: new[]
        {
            MakeAbsolute(File("./tests/Packages/BnNative.Package.Tests.csproj")),
        },
        PackProjects: new[]
        {
            MakeAbsolute(File("./src/Core/BnNative.Core.csproj")),
            MakeAbsolute(File("./src/Native/BnNative.Native.csproj")),
            MakeAbsolute(File("./src/MathNet/BnNative.MathNet.csproj")),
            MakeAbsolute(File("./src/NumericsTensors/BnNative.NumericsTensors.csproj")),
            MakeAbsolute(File("./src/Testing/BnNative.Testing.csproj")),
            MakeAbsolute(File("./src/Cli/BnNative.Cli.csproj")),
            MakeAbsolute(File("./src/Demo/BnNative.Demo.csproj")),
        },
        DemoProject: MakeAbsolute(File("./src/Demo/BnNative.Demo.csproj")),
        BenchProject: MakeAbsolute(File("./bench/BnNative.Benchmarks.csproj")),
        BenchArgs: benchArgs,
        Kernels: SelectKernels(kernels));

    Information("Target: {0}  Configuration: {1}  Artifacts: {2}", target, data.Configuration, data.ArtifactsDir);
    Information("Kernel variants for Test: {0}", data.Kernels.Count == 0 ? "none" : string.Join(", ", data.Kernels.Select(k => k.Name)));
    foreach (var name in new[] { "BNNATIVE_BLAS", "BNNATIVE_REQUIRE_NATIVE", "OPENBLAS_CORETYPE", "BLIS_ARCH_TYPE", "DOTNET_EnableAVX" })
    {
        var value = EnvironmentVariable(name);
        Information("{0}={1}", name, string.IsNullOrEmpty(value) ? "(unset)" : value);
    }
    return data;
});

Task("Clean")
    .Does<BuildContext>((ctx, data) =>
{
    // Deleting bin/obj directly works even when the projects were never restored
    // (dotnet clean needs project.assets.json).
    var dirs = GetDirectories("./src/*/bin")
        + GetDirectories("./src/*/obj")
        + GetDirectories("./tests/*/bin")
        + GetDirectories("./tests/*/obj")
        + GetDirectories("./samples/*/bin")
        + GetDirectories("./samples/*/obj")
        + GetDirectories("./bench/bin")
        + GetDirectories("./bench/obj")
        + GetDirectories("./bench/BenchmarkDotNet.Artifacts");
    if (DirectoryExists(data.ArtifactsDir))
    {
        dirs.Add(data.ArtifactsDir);
    }
    DeleteDirectories(dirs, new DeleteDirectorySettings { Recursive = true, Force = true });
});

Task("Restore")
    .IsDependentOn("Clean")
    .Does<BuildContext>((ctx, data) =>
{
    DotNetRestore(data.Solution.FullPath);
});

Task("Build")
    .IsDependentOn("Restore")
    .Does<BuildContext>((ctx, data) =>
{
    DotNetBuild(data.Solution.FullPath, new DotNetBuildSettings
    {
        Configuration = data.Configuration,
        NoRestore = true,
    });
});

Task("Test")
    .IsDependentOn("Pack")
    .Does<BuildContext>((ctx, data) =>
{
    EnsureDirectoryExists(data.TestResultsDir);
    DeleteFiles(GetFiles(data.TestResultsDir.FullPath + "/*.trx"));

    // Every test project runs in the inherited environment, then again under each kernel variant, so a test that
    // passes only under the kernel this machine happens to pick fails here rather than on a user's machine. Every run
    // happens even when an earlier one fails; the task fails at the end. One TRX file per project and variant.
    var runs = new List<(string Suffix, KernelVariant? Variant)> { (string.Empty, null) };
    foreach (var variant in data.Kernels)
    {
        var missing = variant.CpuFlags.Where(flag => !CpuFlags.Value.Contains(flag)).ToArray();
        if (missing.Length > 0)
        {
            Warning("Skipping kernel variant {0}: this CPU lacks {1}.", variant.Name, string.Join(", ", missing));
            continue;
        }

        if (string.Equals(EnvironmentVariable(variant.Variable), variant.Value, StringComparison.OrdinalIgnoreCase))
        {
            Information("Kernel variant {0}: {1}={2} is already set, so the first pass ran it.", variant.Name, variant.Variable, variant.Value);
            continue;
        }

        runs.Add(("-" + variant.Name, variant));
    }

    var failed = new List<string>();
    foreach (var (suffix, variant) in runs)
    {
        foreach (var project in data.TestProjects)
        {
            if (variant is not null && data.FirstPassOnlyTestProjects.Any(p => p.FullPath == project.FullPath))
            {
                continue;
            }

            var name = project.GetFilenameWithoutExtension().FullPath + suffix;
            var settings = new DotNetTestSettings
            {
                Configuration = data.Configuration,
                NoBuild = true,
                NoRestore = true,
                ResultsDirectory = data.TestResultsDir,
                Loggers = new[] { $"trx;LogFileName={name}.trx" },
            };
            if (variant is not null)
            {
                Information("{0} under {1}={2}", project.GetFilename(), variant.Variable, variant.Value);
                settings.EnvironmentVariables[variant.Variable] = variant.Value;
            }

            try
            {
                DotNetTest(project.FullPath, settings);
            }
            catch (Exception ex)
            {
                Error("{0}: {1}", name, ex.Message);
                failed.Add(name);
                continue;
            }

            // A test host killed from outside (a signal, the OOM killer) can end `dotnet test` with exit code 0 and no
            // results; .ci/run counts only the TRX files it finds, so a run without its file is a failure here.
            var trx = data.TestResultsDir.CombineWithFilePath($"{name}.trx");
            if (!FileExists(trx))
            {
                Error("{0}: dotnet test wrote no {1}; the run did not finish.", name, trx.GetFilename());
                failed.Add(name);
            }
        }
    }

    if (failed.Count > 0)
    {
        throw new CakeException($"Tests failed in: {string.Join(", ", failed)} (results in {data.TestResultsDir})");
    }
});

Task("Pack")
    .IsDependentOn("Build")
    .Does<BuildContext>((ctx, data) =>
{
    // Only this build's packages: a package left from an earlier version or project must not satisfy the tests.
    EnsureDirectoryExists(data.PackagesDir);
    DeleteFiles(GetFiles(data.PackagesDir.FullPath + "/*.nupkg") + GetFiles(data.PackagesDir.FullPath + "/*.snupkg"));
    foreach (var project in data.PackProjects)
    {
        DotNetPack(project.FullPath, new DotNetPackSettings
        {
            Configuration = data.Configuration,
            NoBuild = true,
            NoRestore = true,
            OutputDirectory = data.PackagesDir,
        });
    }

    foreach (var package in GetFiles(data.PackagesDir.FullPath + "/*.nupkg").OrderBy(f => f.FullPath))
    {
        Information("{0,-40} {1,12:N0} bytes", package.GetFilename(), new FileInfo(package.FullPath).Length);
    }
});

Task("Demo")
    .IsDependentOn("Build")
    .Does<BuildContext>((ctx, data) =>
{
    // The main job: bnnative-demo trains the demo MLP with and without BatchNorm; tables on the console, plots and states in artifacts/demo.
    var demoArgs = new ProcessArgumentBuilder().Append("--out").AppendQuoted(data.ArtifactsDir.Combine("demo").FullPath);
    DotNetRun(data.DemoProject.FullPath, demoArgs, new DotNetRunSettings
    {
        Configuration = data.Configuration,
        NoBuild = true,
        NoRestore = true,
    });
});

Task("Bench")
    .IsDependentOn("Build")
    .Does<BuildContext>((ctx, data) =>
{
    if (!string.Equals(data.Configuration, "Release", StringComparison.OrdinalIgnoreCase))
    {
        Warning("BenchmarkDotNet needs an optimized build: running the benchmarks in Release regardless of --configuration={0}.", data.Configuration);
    }
    DotNetRun(data.BenchProject.FullPath, ProcessArgumentBuilder.FromString(data.BenchArgs), new DotNetRunSettings
    {
        Configuration = "Release",
    });
});

Task("Default")
    .IsDependentOn("Test");

/// <summary>
/// The kernel variants named by --kernels: "all" (the default), "none", or a comma-separated list of names.
/// </summary>
static IReadOnlyList<KernelVariant> SelectKernels(string names)
{
    var all = new[]
    {
        new KernelVariant("openblas-haswell", "OPENBLAS_CORETYPE", "Haswell", new[] { "avx2", "fma" }),
        new KernelVariant("openblas-skylakex", "OPENBLAS_CORETYPE", "SkylakeX", new[] { "avx512f", "avx512bw", "avx512dq", "avx512vl" }),
        new KernelVariant("openblas-prescott", "OPENBLAS_CORETYPE", "Prescott", new[] { "sse3" }),
        new KernelVariant("blis", "BNNATIVE_BLAS", "blis", Array.Empty<string>()),
        // The managed SIMD kernels at 128 bits (Vector<T> as on a CPU without AVX), OpenBLAS as the machine picks it.
        new KernelVariant("managed-sse", "DOTNET_EnableAVX", "0", Array.Empty<string>()),
    };
    if (string.Equals(names, "all", StringComparison.OrdinalIgnoreCase))
    {
        return all;
    }

    if (string.Equals(names, "none", StringComparison.OrdinalIgnoreCase))
    {
        return Array.Empty<KernelVariant>();
    }

    var chosen = new List<KernelVariant>();
    foreach (var name in names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
    {
        chosen.Add(all.FirstOrDefault(k => string.Equals(k.Name, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"--kernels: '{name}' is not one of all, none, {string.Join(", ", all.Select(k => k.Name))}."));
    }

    return chosen;
}

/// <summary>The CPU's instruction-set flags (/proc/cpuinfo); on other systems every variant is assumed to run.</summary>
static readonly Lazy<HashSet<string>> CpuFlags = new(() =>
{
    const string cpuinfo = "/proc/cpuinfo";
    if (!System.IO.File.Exists(cpuinfo))
    {
        return new HashSet<string>(new[] { "avx2", "fma", "avx512f", "avx512bw", "avx512dq", "avx512vl", "sse3" });
    }

    var line = System.IO.File.ReadLines(cpuinfo).FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal)) ?? string.Empty;
    var flags = line.Substring(line.IndexOf(':') + 1).Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
    // /proc/cpuinfo calls SSE3 "pni".
    if (flags.Contains("pni"))
    {
        flags.Add("sse3");
    }

    return flags;
});

RunTarget(target);
