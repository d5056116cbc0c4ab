using System.Runtime.InteropServices;

namespace BnNative.Native.Mpi;

/// <summary>
/// The few Open MPI entry points BnNative needs, imported by the logical name <see cref="Library"/>, which
/// <see cref="MpiLibrary"/> resolves to the libmpi it loaded (RTLD_LOCAL, from its candidate list). Handles such as
/// MPI_COMM_WORLD and MPI_DOUBLE are the addresses of exported globals in Open MPI (ompi_mpi_comm_world, …), so they
/// are taken from the library with <see cref="NativeLibrary.GetExport"/>, not passed as integers as MS-MPI does.
/// </summary>
internal static unsafe partial class MpiImports
{
    /// <summary>The logical library name the resolver maps to the loaded libmpi.</summary>
    public const string Library = "bnnative-libmpi";

    [LibraryImport(Library)]
    public static partial int MPI_Init(int* argc, byte*** argv);

    [LibraryImport(Library)]
    public static partial int MPI_Initialized(int* flag);

    [LibraryImport(Library)]
    public static partial int MPI_Finalized(int* flag);

    [LibraryImport(Library)]
    public static partial int MPI_Finalize();

    [LibraryImport(Library)]
    public static partial int MPI_Abort(nint comm, int errorcode);

    [LibraryImport(Library)]
    public static partial int MPI_Comm_rank(nint comm, int* rank);

    [LibraryImport(Library)]
    public static partial int MPI_Comm_size(nint comm, int* size);

    [LibraryImport(Library)]
    public static partial int MPI_Allgather(void* sendbuf, int sendcount, nint sendtype, void* recvbuf, int recvcount, nint recvtype, nint comm);

    [LibraryImport(Library)]
    public static partial int MPI_Error_string(int errorcode, byte* text, int* length);

    [LibraryImport(Library)]
    public static partial int MPI_Get_library_version(byte* version, int* length);
}
