using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;

namespace BnNative.Native.Mpi;

/// <summary>
/// Resolves Open MPI once per process: <c>BNNATIVE_MPI</c> (a path) if set, else libmpi.so.40 (Open MPI 4.x, Debian's
/// openmpi-bin), else libmpi.so. The library is opened with <see cref="NativeLibrary.Load(string)"/> (RTLD_LOCAL) and
/// <see cref="MpiImports"/> is bound to it through this assembly's import resolver. When none loads, the error lists
/// every candidate and names the package to install.
/// </summary>
internal static unsafe class MpiLibrary
{
    private const string EnvironmentVariable = "BNNATIVE_MPI";
    private static readonly Lazy<(nint Handle, string Path)> Loaded = new(LoadLibrary, LazyThreadSafetyMode.ExecutionAndPublication);

    static MpiLibrary()
    {
        NativeLibrary.SetDllImportResolver(typeof(MpiLibrary).Assembly, Resolve);
    }

    /// <summary>The loaded library's handle.</summary>
    /// <exception cref="MpiLibraryNotFoundException">No candidate loads.</exception>
    public static nint Handle => Loaded.Value.Handle;

    /// <summary>The name or path that loaded.</summary>
    public static string Path => Loaded.Value.Path;

    /// <summary>MPI_COMM_WORLD (the address of Open MPI's ompi_mpi_comm_world).</summary>
    public static nint CommWorld => Export("ompi_mpi_comm_world");

    /// <summary>MPI_DOUBLE (the address of ompi_mpi_double).</summary>
    public static nint Double => Export("ompi_mpi_double");

    /// <summary>The candidates in the order they are tried.</summary>
    public static IReadOnlyList<string> Candidates()
    {
        var list = new List<string>();
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } chosen)
        {
            list.Add(chosen);
            return list;
        }

        list.Add("libmpi.so.40");
        list.Add("libmpi.so");
        return list;
    }

    /// <summary>Throws <see cref="MpiException"/> naming <paramref name="call"/> and MPI's error text when <paramref name="code"/> is not MPI_SUCCESS.</summary>
    public static void Check(int code, string call)
    {
        if (code == 0)
        {
            return;
        }

        var text = new byte[512];
        int length = 0;
        fixed (byte* p = text)
        {
            if (MpiImports.MPI_Error_string(code, p, &length) != 0)
            {
                length = 0;
            }
        }

        throw new MpiException($"{call} failed with MPI error {code}: {Encoding.ASCII.GetString(text, 0, Math.Clamp(length, 0, text.Length))}", code);
    }

    /// <summary>MPI_Get_library_version's text (first line).</summary>
    public static string Version()
    {
        var text = new byte[8192];
        int length = 0;
        fixed (byte* p = text)
        {
            Check(MpiImports.MPI_Get_library_version(p, &length), "MPI_Get_library_version");
        }

        return Encoding.ASCII.GetString(text, 0, Math.Clamp(length, 0, text.Length)).Split('\n')[0].Trim().TrimEnd('\0');
    }

    private static nint Export(string name) =>
        NativeLibrary.TryGetExport(Handle, name, out var address)
            ? address
            : throw new MpiLibraryNotFoundException(
                $"{Path} does not export {name}; BnNative's MPI layer needs Open MPI (install openmpi-bin), not another MPI.");

    private static (nint, string) LoadLibrary()
    {
        var reasons = new List<string>();
        foreach (var candidate in Candidates())
        {
            try
            {
                var handle = NativeLibrary.Load(candidate);
                if (!NativeLibrary.TryGetExport(handle, "ompi_mpi_comm_world", out _))
                {
                    reasons.Add($"{candidate}: loads but is not Open MPI (no ompi_mpi_comm_world)");
                    continue;
                }

                return (handle, candidate);
            }
            catch (DllNotFoundException e)
            {
                reasons.Add($"{candidate}: {e.Message}");
            }
            catch (BadImageFormatException e)
            {
                reasons.Add($"{candidate}: {e.Message}");
            }
        }

        throw new MpiLibraryNotFoundException(
            $"Open MPI could not be loaded; install the Debian package openmpi-bin (apt-get install openmpi-bin) or set {EnvironmentVariable} to a libmpi path. Tried: {string.Join("; ", reasons)}.");
    }

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath) =>
        name == MpiImports.Library ? Handle : 0;
}
