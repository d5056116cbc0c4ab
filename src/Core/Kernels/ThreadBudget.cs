using System.Globalization;

namespace BnNative.Kernels;

/// <summary>
/// How many cores one process may keep busy: the logical cores divided by the processes Open MPI started on this node
/// (<c>OMPI_COMM_WORLD_LOCAL_SIZE</c>; 1 outside <c>mpirun</c>). The default managed thread count of every pass
/// (<see cref="Normalization.BatchNormConfig.Threads"/>, <see cref="Moments.MomentsBackend.Compute{T}"/>) and the BLAS
/// thread count BnNative sets in the native assembly both come from here, so ranks sharing a machine do not
/// oversubscribe it.
/// </summary>
internal static class ThreadBudget
{
    /// <summary>Open MPI's number of ranks of the job on this node.</summary>
    public const string LocalRanksVariable = "OMPI_COMM_WORLD_LOCAL_SIZE";

    /// <summary>This process's share of the cores, read once.</summary>
    public static int Default { get; } = CoresPerProcess(Environment.GetEnvironmentVariable, Environment.ProcessorCount);

    /// <summary>The processes on this node according to <paramref name="environment"/> (1 when unset or not a whole number ≥ 1).</summary>
    public static int LocalRanks(Func<string, string?> environment) =>
        int.TryParse(environment(LocalRanksVariable), NumberStyles.None, CultureInfo.InvariantCulture, out int ranks) && ranks >= 1 ? ranks : 1;

    /// <summary>max(1, <paramref name="processorCount"/> / local ranks).</summary>
    public static int CoresPerProcess(Func<string, string?> environment, int processorCount) =>
        Math.Max(1, processorCount / LocalRanks(environment));
}
