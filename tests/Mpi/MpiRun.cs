using System.Diagnostics;
using System.Globalization;

namespace BnNative.Tests.Mpi;

/// <summary>What one mpirun job did.</summary>
/// <param name="ExitCode">mpirun's exit code.</param>
/// <param name="Output">Standard output of all ranks.</param>
/// <param name="Error">Standard error of all ranks and of mpirun.</param>
/// <param name="Elapsed">Wall time until mpirun ended.</param>
public sealed record MpiRun(int ExitCode, string Output, string Error, TimeSpan Elapsed)
{
    /// <summary>Longest a job may take before the test kills it and fails: a hang is a failure, never a stuck suite.</summary>
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);

    /// <summary>
    /// Runs <c>mpirun -np <paramref name="ranks"/> dotnet <paramref name="assembly"/> args</c> in
    /// <paramref name="folder"/> (--oversubscribe: more ranks than the 2 cores; --allow-run-as-root: CI runs as root).
    /// </summary>
    public static MpiRun Start(int ranks, string assembly, IEnumerable<string> arguments, string folder)
    {
        var info = new ProcessStartInfo("mpirun")
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--allow-run-as-root", "--oversubscribe", "-np", ranks.ToString(CultureInfo.InvariantCulture), "dotnet", assembly })
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // Containers often forbid the cross-process memory copy Open MPI's shared-memory transport tries first.
        info.Environment["OMPI_MCA_btl_vader_single_copy_mechanism"] = "none";
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(info) ?? throw new InvalidOperationException("mpirun did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Limit))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new TimeoutException(
                $"mpirun -np {ranks} {assembly} {string.Join(' ', arguments)} did not end within {Limit}: {error.Result}");
        }

        process.WaitForExit();
        return new MpiRun(process.ExitCode, output.Result, error.Result, clock.Elapsed);
    }

    /// <summary>Runs <c>dotnet <paramref name="assembly"/> args</c> in <paramref name="folder"/> without mpirun (a single-process reference run).</summary>
    public static MpiRun Single(string assembly, IEnumerable<string> arguments, string folder, params (string Name, string Value)[] environment)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        info.ArgumentList.Add(assembly);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Limit))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {assembly} did not end within {Limit}.");
        }

        process.WaitForExit();
        return new MpiRun(process.ExitCode, output.Result, error.Result, clock.Elapsed);
    }

    /// <summary>The path of bnnative.dll (the CLI) next to the tests.</summary>
    public static string Cli => Path.Combine(AppContext.BaseDirectory, "bnnative.dll");

    /// <summary>The path of bnnative-demo.dll (the demo tool) next to the tests.</summary>
    public static string Demo => Path.Combine(AppContext.BaseDirectory, "bnnative-demo.dll");

    /// <summary>The path of the MPI test worker next to the tests.</summary>
    public static string Worker => Path.Combine(AppContext.BaseDirectory, "bnnative-mpi-worker.dll");
}
