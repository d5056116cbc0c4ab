namespace BnNative.Tests.Mpi;

/// <summary>
/// A test that needs mpirun (Debian: openmpi-bin). Without it the test is skipped with the reason, unless
/// BNNATIVE_REQUIRE_NATIVE=1 (CI), where it runs and fails.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class MpiFactAttribute : FactAttribute
{
    /// <summary>Sets Skip when mpirun is missing and native pieces are not required.</summary>
    public MpiFactAttribute()
    {
        if (!MpirunAvailable() && Environment.GetEnvironmentVariable("BNNATIVE_REQUIRE_NATIVE") != "1")
        {
            Skip = "mpirun is not on PATH; install openmpi-bin (./build.sh does, as root).";
        }
    }

    private static bool MpirunAvailable() =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(folder => File.Exists(Path.Combine(folder, "mpirun")));
}
