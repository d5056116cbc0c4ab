namespace BnNative.Native.Mpi;

/// <summary>
/// No Open MPI library (libmpi.so.40) could be loaded. The message lists every candidate with its reason and says to
/// install the Debian package openmpi-bin (or to point BNNATIVE_MPI at a libmpi).
/// </summary>
public sealed class MpiLibraryNotFoundException : DllNotFoundException
{
    /// <summary>Creates the exception with a generic message.</summary>
    public MpiLibraryNotFoundException()
        : base("No Open MPI library was found; install openmpi-bin.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public MpiLibraryNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the failure that caused it.</summary>
    public MpiLibraryNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
