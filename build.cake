// BnNative build script (classic Cake, run through ./build.sh or `dotnet cake build.cake`).
//
//   Clean -> Restore -> Build -> Test -> Pack      (linear chain, Default = Test)
//   Demo  (after Build: runs the bnnative CLI, the main job)
//   Bench (after Build: runs BenchmarkDotNet with --bench-args, default "--filter *")
//
// Arguments: --target=<name> (default "Default"), --configuration=<Debug|Release> (default Release),
//            --bench-args="<BenchmarkDotNet arguments>".
// Cake's own --exclusive runs only the named target, without its dependencies.

var target = Argument("target", "Default");
var configuration = Argument("configuration", "Release");
var benchArgs = Argument("bench-args", "--filter *");

/// <summary>Everything the tasks need, resolved once in Setup.</summary>
public sealed record BuildContext(
    string Configuration,
    FilePath Solution,
    DirectoryPath ArtifactsDir,
    DirectoryPath TestResultsDir,
    DirectoryPath PackagesDir,
    IReadOnlyList<FilePath> TestProjects,
    IReadOnlyList<FilePath> PackProjects,
    FilePath CliProject,
    FilePath BenchProject,
    string BenchArgs);

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
        },
        PackProjects: new[]
        {
            MakeAbsolute(File("./src/Core/BnNative.Core.csproj")),
            MakeAbsolute(File("./src/Native/BnNative.Native.csproj")),
            MakeAbsolute(File("./src/Cli/BnNative.Cli.csproj")),
        },
        CliProject: MakeAbsolute(File("./src/Cli/BnNative.Cli.csproj")),
        BenchProject: MakeAbsolute(File("./bench/BnNative.Benchmarks.csproj")),
        BenchArgs: benchArgs);

    Information("Target: {0}  Configuration: {1}  Artifacts: {2}", target, data.Configuration, data.ArtifactsDir);
    foreach (var name in new[] { "BNNATIVE_BLAS", "BNNATIVE_REQUIRE_NATIVE" })
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
    .IsDependentOn("Build")
    .Does<BuildContext>((ctx, data) =>
{
    EnsureDirectoryExists(data.TestResultsDir);
    DeleteFiles(GetFiles(data.TestResultsDir.FullPath + "/*.trx"));

    // Run every test project even when an earlier one fails; fail the task at the end.
    // The environment (BNNATIVE_BLAS, BNNATIVE_REQUIRE_NATIVE, ...) is inherited as is.
    var failed = new List<string>();
    foreach (var project in data.TestProjects)
    {
        var name = project.GetFilenameWithoutExtension().FullPath;
        try
        {
            DotNetTest(project.FullPath, new DotNetTestSettings
            {
                Configuration = data.Configuration,
                NoBuild = true,
                NoRestore = true,
                ResultsDirectory = data.TestResultsDir,
                Loggers = new[] { $"trx;LogFileName={name}.trx" },
            });
        }
        catch (Exception ex)
        {
            Error("{0}: {1}", name, ex.Message);
            failed.Add(name);
        }
    }

    if (failed.Count > 0)
    {
        throw new CakeException($"Tests failed in: {string.Join(", ", failed)} (results in {data.TestResultsDir})");
    }
});

Task("Pack")
    .IsDependentOn("Test")
    .Does<BuildContext>((ctx, data) =>
{
    EnsureDirectoryExists(data.PackagesDir);
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
});

Task("Demo")
    .IsDependentOn("Build")
    .Does<BuildContext>((ctx, data) =>
{
    // The main job: train the demo MLP with and without BatchNorm; tables on the console, plots and states in artifacts/demo.
    var demoArgs = new ProcessArgumentBuilder().Append("demo").Append("--out").AppendQuoted(data.ArtifactsDir.Combine("demo").FullPath);
    DotNetRun(data.CliProject.FullPath, demoArgs, new DotNetRunSettings
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

RunTarget(target);
