namespace BnNative.Native.Mpi;

/// <summary>
/// An Open MPI session for this process (MPI_COMM_WORLD): <see cref="Start"/> initializes MPI (unless the host already
/// did), <see cref="Dispose"/> finalizes it if this session initialized it. <see cref="Exchange"/> is the
/// <see cref="Sync.IStatisticsExchange"/> for synchronized batch norm across the job's processes. One session per
/// process: MPI cannot be initialized again after it was finalized.
/// </summary>
public sealed unsafe class MpiSession : IDisposable
{
    private static readonly object Gate = new();
    private readonly bool _owns;
    private bool _disposed;

    private MpiSession(bool owns, int rank, int size, string library)
    {
        _owns = owns;
        Rank = rank;
        Size = size;
        Library = library;
        Exchange = new MpiStatisticsExchange(this);
    }

    /// <summary>This process's rank in MPI_COMM_WORLD.</summary>
    public int Rank { get; }

    /// <summary>Number of processes in MPI_COMM_WORLD.</summary>
    public int Size { get; }

    /// <summary>The libmpi path or name that was loaded.</summary>
    public string Library { get; }

    /// <summary>The statistics exchange over MPI_COMM_WORLD.</summary>
    public MpiStatisticsExchange Exchange { get; }

    /// <summary>True when MPI_COMM_WORLD is a real MPI job (the environment was set up by mpirun), as Open MPI's launcher variables show.</summary>
    public static bool LaunchedByMpirun => Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_SIZE") is not null;

    /// <summary>Initializes MPI (MPI_Init) if it is not already, and reads this process's rank and the job's size.</summary>
    /// <exception cref="MpiLibraryNotFoundException">libmpi is missing: install openmpi-bin.</exception>
    /// <exception cref="InvalidOperationException">MPI was already finalized in this process.</exception>
    /// <exception cref="MpiException">An MPI call failed.</exception>
    public static MpiSession Start()
    {
        _ = MpiLibrary.Handle;
        lock (Gate)
        {
            int initialized = 0;
            int finalized = 0;
            MpiLibrary.Check(MpiImports.MPI_Finalized(&finalized), "MPI_Finalized");
            if (finalized != 0)
            {
                throw new InvalidOperationException("MPI was already finalized in this process; it cannot be started again.");
            }

            MpiLibrary.Check(MpiImports.MPI_Initialized(&initialized), "MPI_Initialized");
            if (initialized == 0)
            {
                MpiLibrary.Check(MpiImports.MPI_Init(null, null), "MPI_Init");
            }

            int rank = 0;
            int size = 0;
            var world = MpiLibrary.CommWorld;
            MpiLibrary.Check(MpiImports.MPI_Comm_rank(world, &rank), "MPI_Comm_rank");
            MpiLibrary.Check(MpiImports.MPI_Comm_size(world, &size), "MPI_Comm_size");
            return new MpiSession(initialized == 0, rank, size, MpiLibrary.Path);
        }
    }

    /// <summary>Open MPI's library version line (MPI_Get_library_version).</summary>
    /// <exception cref="MpiLibraryNotFoundException">libmpi is missing.</exception>
    public static string LibraryVersion()
    {
        _ = MpiLibrary.Handle;
        return MpiLibrary.Version();
    }

    /// <summary>Ends the whole job (MPI_Abort on MPI_COMM_WORLD): every process exits with <paramref name="exitCode"/>. Does not return.</summary>
    public void Abort(int exitCode)
    {
        MpiImports.MPI_Abort(MpiLibrary.CommWorld, exitCode);
        Environment.Exit(exitCode);
    }

    /// <summary>Finalizes MPI when this session initialized it. Collective: every rank must call it.</summary>
    public void Dispose()
    {
        lock (Gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            if (_owns)
            {
                MpiLibrary.Check(MpiImports.MPI_Finalize(), "MPI_Finalize");
            }
        }
    }
}
