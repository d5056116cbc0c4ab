using System.CommandLine;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using BnNative.Moments;
using BnNative.Native.Blas;
using BnNative.Native.Mpi;
using BnNative.Tensors;

namespace BnNative.Cli;

/// <summary><c>bnnative info</c>: the runtime, the CPU, every BLAS library found and what Auto picks.</summary>
internal static class InfoCommand
{
    public static Command Create(TextWriter output)
    {
        var command = new Command("info", "Show the runtime, CPU and SIMD width, every BLAS library found, and the backend Auto picks for a few shapes.");
        command.SetAction(_ =>
        {
            Write(output);
            return 0;
        });
        return command;
    }

    private static void Write(TextWriter output)
    {
        output.WriteLine($"BnNative {typeof(MomentsBackend).Assembly.GetName().Version}");
        output.WriteLine($".NET     {RuntimeInformation.FrameworkDescription} ({RuntimeInformation.RuntimeIdentifier})");
        output.WriteLine($"OS       {RuntimeInformation.OSDescription}");
        output.WriteLine($"CPU      {CpuModel()} ({Environment.ProcessorCount} logical cores)");
        output.WriteLine(
            $"SIMD     Vector<T> {Vector<byte>.Count * 8} bits; Vector512 {(Vector512.IsHardwareAccelerated ? "yes" : "no")}; "
            + $"AVX2 {(Avx2.IsSupported ? "yes" : "no")}; AVX-512F {(Avx512F.IsSupported ? "yes" : "no")}; FMA {(Fma.IsSupported ? "yes" : "no")}");
        output.WriteLine();
        output.WriteLine(
            "BLAS libraries (BNNATIVE_BLAS=" + (Environment.GetEnvironmentVariable("BNNATIVE_BLAS") ?? "<unset>")
            + $", {BlasThreadPolicy.EnvironmentVariable}=" + (Environment.GetEnvironmentVariable(BlasThreadPolicy.EnvironmentVariable) ?? "<unset>") + "):");
        foreach (var probe in CblasLibrary.ProbeAll())
        {
            if (probe is { Loaded: true, Library: { } library })
            {
                output.WriteLine($"  {probe.Requested.ConfigName(),-10} {library.Path}");
                output.WriteLine($"  {string.Empty,-10} config: {library.Config}");
                string threads = library.Threads is { } n ? $"{n.ToString(System.Globalization.CultureInfo.InvariantCulture)} ({library.ThreadsSource})" : "-";
                output.WriteLine($"  {string.Empty,-10} core: {library.CoreName ?? "-"}; threads: {threads}");
            }
            else
            {
                output.WriteLine($"  {probe.Requested.ConfigName(),-10} not loaded");
                foreach (string line in (probe.Failure ?? string.Empty).Split('\n'))
                {
                    output.WriteLine($"  {string.Empty,-10} {line.Trim()}");
                }
            }
        }

        output.WriteLine();
        output.WriteLine(MomentsBackend.TryCblas(null, out var cblas, out string failure)
            ? $"Default CBLAS backend: {cblas.Name}"
            : $"Default CBLAS backend: none ({FirstLine(failure)})");
        if (CblasLibrary.TryLoad(null, out var inUse, out _))
        {
            // Which kernel set the default library chose decides its summation order, hence the low bits of every float
            // result computed through it (the demo's matrix products, the cblas moments backend).
            output.WriteLine($"  in use: {inUse.Describe()}");
            output.WriteLine("  float results repeat bit for bit with the same library build and kernel; another kernel rounds differently.");
        }
        output.WriteLine();
        output.WriteLine($"MPI      {MpiDescription()}");
        output.WriteLine();
        output.WriteLine(
            $"Kernels  moments backend auto = {MomentsBackend.Auto.Name}; every pass runs on up to BatchNormConfig.Threads managed threads "
            + $"(default {BnNative.Kernels.ThreadBudget.Default}: {Environment.ProcessorCount} cores / {BnNative.Kernels.ThreadBudget.LocalRanks(Environment.GetEnvironmentVariable)} rank(s) on this node) "
            + "in fixed chunks, so results do not depend on the count");
    }

    /// <summary>Open MPI's version line without initializing MPI (MPI_Get_library_version may be called before MPI_Init).</summary>
    private static string MpiDescription()
    {
        try
        {
            return $"{MpiSession.LibraryVersion()} (for --sync mpi under mpirun)";
        }
        catch (DllNotFoundException e)
        {
            return $"not available: {FirstLine(e.Message)}";
        }
    }

    private static string FirstLine(string? text) =>
        text is null ? "-" : text.Split('\n', 2)[0].Trim();

    private static string CpuModel()
    {
        try
        {
            if (OperatingSystem.IsLinux())
            {
                var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
                if (line is not null)
                {
                    return line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
                }
            }
        }
        catch (IOException)
        {
        }

        return Environment.GetEnvironmentVariable("PROCESSOR_IDENTIFIER") ?? RuntimeInformation.ProcessArchitecture.ToString();
    }
}
