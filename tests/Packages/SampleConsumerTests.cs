using System.Diagnostics;

namespace BnNative.Tests.Packages;

/// <summary>
/// samples/Consumer built as a user would build it: package references restored from the local feed the Pack target
/// wrote (artifacts/packages) into a fresh packages folder, then run; a package that is missing a file, a dependency or
/// a working native backend fails here.
/// </summary>
public sealed class SampleConsumerTests
{
    [Fact]
    public void SampleConsumerRestoresThePackagesAndItsChecksHold()
    {
        _ = Repository.PackedFile($"BnNative.Core.{Repository.Version}.nupkg");
        _ = Repository.PackedFile($"BnNative.Native.{Repository.Version}.nupkg");
        string sample = Path.Combine(Repository.Root, "samples", "Consumer");
        foreach (string stale in new[] { Path.Combine(Repository.Root, "artifacts", "sample-packages"), Path.Combine(sample, "obj"), Path.Combine(sample, "bin") })
        {
            if (Directory.Exists(stale))
            {
                Directory.Delete(stale, recursive: true);
            }
        }

        var (exitCode, output) = Dotnet(Repository.Root, "run", "--project", sample, "-c", "Release", "--disable-build-servers");

        Assert.True(exitCode == 0, $"The sample consumer exited with {exitCode}:\n{output}");
        Assert.Contains($"BnNative.Core {Repository.Version}", output, StringComparison.Ordinal);
        Assert.Contains("sample consumer: every check holds", output, StringComparison.Ordinal);
        if (Environment.GetEnvironmentVariable("BNNATIVE_REQUIRE_NATIVE") == "1")
        {
            Assert.Contains("Moments backend: cblas:", output, StringComparison.Ordinal);
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
