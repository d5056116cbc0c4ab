using System.Diagnostics;

namespace BnNative.Tests.Packages;

/// <summary>
/// The samples built as a user would build them: package references restored from the local feed the Pack target wrote
/// (artifacts/packages) into a fresh packages folder, then run. samples/Consumer uses BnNative.Core and BnNative.Native;
/// samples/Interop uses BnNative.MathNet, BnNative.NumericsTensors and BnNative.Testing (and through them Core and
/// Native). A package that is missing a file, a dependency or a working native backend fails here.
/// </summary>
public sealed class SampleConsumerTests
{
    /// <summary>Each sample's folder, the packages it references, and the line it prints when every check holds.</summary>
    public static TheoryData<string, string[], string> Samples => new()
    {
        { "Consumer", ["BnNative.Core", "BnNative.Native"], "sample consumer: every check holds" },
        { "Interop", ["BnNative.MathNet", "BnNative.NumericsTensors", "BnNative.Testing"], "interop sample: every check holds" },
    };

    [Theory]
    [MemberData(nameof(Samples))]
    public void SampleRestoresThePackagesAndItsChecksHold(string folder, string[] packages, string success)
    {
        foreach (string package in packages)
        {
            _ = Repository.PackedFile($"{package}.{Repository.Version}.nupkg");
        }

        string sample = Path.Combine(Repository.Root, "samples", folder);
        foreach (string stale in new[] { Path.Combine(Repository.Root, "artifacts", "sample-packages"), Path.Combine(sample, "obj"), Path.Combine(sample, "bin") })
        {
            if (Directory.Exists(stale))
            {
                Directory.Delete(stale, recursive: true);
            }
        }

        var (exitCode, output) = Dotnet(Repository.Root, "run", "--project", sample, "-c", "Release", "--disable-build-servers");

        Assert.True(exitCode == 0, $"samples/{folder} exited with {exitCode}:\n{output}");
        Assert.Contains(success, output, StringComparison.Ordinal);
        Assert.DoesNotContain("FAIL", output, StringComparison.Ordinal);
        if (folder == "Consumer")
        {
            Assert.Contains($"BnNative.Core {Repository.Version}", output, StringComparison.Ordinal);
        }

        if (Environment.GetEnvironmentVariable("BNNATIVE_REQUIRE_NATIVE") == "1")
        {
            Assert.Contains(folder == "Consumer" ? "Moments backend: cblas:" : "product on BnNative CBLAS", output, StringComparison.Ordinal);
        }
    }

    /// <summary>Runs the dotnet host that runs these tests (or the one on PATH); returns the exit code and both streams.</summary>
    private static (int ExitCode, string Output) Dotnet(string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Build nodes that outlive the build would hold the redirected streams open.
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', arguments)} did not finish in 5 minutes:\n{output}");
        }

        return (process.ExitCode, output + error.Result);
    }
}
