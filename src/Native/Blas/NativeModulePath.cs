using System.Runtime.InteropServices;

namespace BnNative.Native.Blas;

/// <summary>
/// The file a loaded native function lives in, found with <c>dladdr</c> (Linux, macOS) so that a library loaded
/// by a bare name such as <c>libopenblas.so.0</c> reports the file the dynamic loader actually picked.
/// </summary>
/// <remarks>
/// <c>dladdr</c> is reached through a function pointer from an explicitly loaded C library for the same reason
/// the CBLAS functions are: no process-wide library name is bound. Elsewhere (Windows) the lookup returns null
/// and callers keep the name they loaded.
/// </remarks>
internal static unsafe class NativeModulePath
{
    private static readonly delegate* unmanaged[Cdecl]<void*, DlInfo*, int> Dladdr = ResolveDladdr();

    /// <summary>The real path (symbolic links resolved) of the file containing <paramref name="address"/>, or null.</summary>
    /// <param name="address">An address inside a loaded library, e.g. an exported function.</param>
    public static string? Of(nint address)
    {
        DlInfo info;
        if (Dladdr is null || address == 0 || Dladdr((void*)address, &info) == 0 || info.FileName is null)
        {
            return null;
        }

        string? file = Marshal.PtrToStringUTF8((nint)info.FileName);
        if (string.IsNullOrEmpty(file) || !Path.IsPathRooted(file))
        {
            return file;
        }

        try
        {
            return File.ResolveLinkTarget(file, returnFinalTarget: true)?.FullName ?? file;
        }
        catch (IOException)
        {
            return file;
        }
        catch (UnauthorizedAccessException)
        {
            return file;
        }
    }

    private static delegate* unmanaged[Cdecl]<void*, DlInfo*, int> ResolveDladdr()
    {
        string[] libraries = OperatingSystem.IsLinux() ? ["libc.so.6", "libdl.so.2"]
            : OperatingSystem.IsMacOS() ? ["/usr/lib/libSystem.B.dylib"]
            : [];
        foreach (string library in libraries)
        {
            if (NativeLibrary.TryLoad(library, out nint handle) && NativeLibrary.TryGetExport(handle, "dladdr", out nint dladdr))
            {
                return (delegate* unmanaged[Cdecl]<void*, DlInfo*, int>)dladdr;
            }
        }

        return null;
    }

    /// <summary><c>Dl_info</c> from <c>dlfcn.h</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct DlInfo
    {
        public byte* FileName;
        public void* FileBase;
        public byte* SymbolName;
        public void* SymbolAddress;
    }
}
