using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace BnNative.Native.Blas;

/// <summary>
/// A native CBLAS library (MKL, OpenBLAS, BLIS or reference BLAS) loaded at run time, identified by its exports,
/// verified with known results before use, and wrapped by methods that validate every argument before the call
/// (BLAS crashes or calls <c>exit</c> on bad sizes instead of throwing).
/// </summary>
/// <remarks>
/// <para>
/// Several libraries can be loaded in one process: each is opened with <see cref="NativeLibrary.Load(string)"/>
/// (<c>RTLD_LOCAL</c>, never globally) and its functions are held as unmanaged function pointers resolved from its
/// own handle. <c>[LibraryImport]</c> cannot do this: it binds one library name, resolved once per process, so all
/// calls would reach whichever BLAS was found first. Libraries are cached by native handle, so loading the same
/// file again returns the same instance; they are never unloaded.
/// </para>
/// <para>
/// Matrices are row-major. Vectors use BLAS increments: with a negative increment the pointer still addresses the
/// lowest element in memory, and logical element <c>i</c> of an <c>n</c>-vector is at <c>(n − 1 − i)·|inc|</c>.
/// </para>
/// </remarks>
public sealed unsafe partial class CblasLibrary
{
    /// <summary>The environment variable read when no name or path is given: a path, or mkl | openblas | blis | reference.</summary>
    public const string EnvironmentVariable = "BNNATIVE_BLAS";

    private static readonly Lock LoadLock = new();
    private static readonly Dictionary<nint, CblasLibrary> LoadedByHandle = [];

    private readonly CblasEntryPoints _native;

    private CblasLibrary(CblasEntryPoints native, BlasVendor vendor, string path, string config)
    {
        _native = native;
        Vendor = vendor;
        Path = path;
        Config = config;
        CoreName = native.OpenblasGetCorename is not null ? Marshal.PtrToStringUTF8((nint)native.OpenblasGetCorename())
            : native.BliArchQueryId is not null && native.BliArchString is not null ? Marshal.PtrToStringUTF8((nint)native.BliArchString(native.BliArchQueryId()))
            : null;
    }

    /// <summary>The vendor, identified from the library's exports (not from its file name).</summary>
    public BlasVendor Vendor { get; }

    /// <summary>
    /// The file the library was loaded from, with symbolic links resolved where the platform can tell
    /// (<c>dladdr</c>); otherwise the name or path that loaded.
    /// </summary>
    public string Path { get; }

    /// <summary>
    /// What the library says about itself: <c>openblas_get_config()</c> for OpenBLAS, <c>"BLIS " +
    /// bli_info_get_version_str()</c>, <c>MKL_Get_Version_String</c> for MKL, <c>"reference BLAS"</c> otherwise.
    /// </summary>
    public string Config { get; }

    /// <summary>
    /// The CPU kernel set the library selected when it loaded: OpenBLAS's core (<c>openblas_get_corename()</c>, forced
    /// with <c>OPENBLAS_CORETYPE</c>) or BLIS's sub-configuration (<c>bli_arch_string(bli_arch_query_id())</c>, forced
    /// with <c>BLIS_ARCH_TYPE</c>); null for libraries that do not say (reference BLAS, MKL). Each kernel set sums in its
    /// own order, so float results are reproducible bit for bit only for the same library build and kernel.
    /// </summary>
    public string? CoreName { get; }

    /// <summary>
    /// One line naming what computes: vendor, version, file, kernel set (with the environment variable that forced it,
    /// when set) and thread count with where it came from (<see cref="ThreadsSource"/>), for example
    /// <c>OpenBLAS 0.3.21, kernel Haswell (OPENBLAS_CORETYPE=Haswell), 2 threads (set by BnNative: 2 cores / 1 rank), /usr/lib/…/libopenblasp-r0.3.21.so</c>.
    /// </summary>
    public string Describe()
    {
        string version = Vendor == BlasVendor.OpenBlas ? string.Join(' ', Config.Split(' ').Take(2)) : Config;
        string? forcedBy = Vendor switch
        {
            BlasVendor.OpenBlas => ForcedKernel("OPENBLAS_CORETYPE"),
            BlasVendor.Blis => ForcedKernel("BLIS_ARCH_TYPE"),
            BlasVendor.Mkl => ForcedKernel("MKL_ENABLE_INSTRUCTIONS"),
            _ => null,
        };
        string kernel = CoreName is null ? "kernel not reported" : $"kernel {CoreName}";
        string threads = Threads is { } n
            ? string.Create(CultureInfo.InvariantCulture, $"{n} thread{(n == 1 ? string.Empty : "s")} ({ThreadsSource})")
            : "single-threaded";
        return $"{version}, {kernel}{(forcedBy is null ? string.Empty : $" ({forcedBy})")}, {threads}, {Path}";

        static string? ForcedKernel(string variable) =>
            Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value ? $"{variable}={value}" : null;
    }

    /// <summary>
    /// The number of threads the library will use: <c>openblas_get_num_threads</c>, <c>MKL_Get_Max_Threads</c> or
    /// <c>bli_thread_get_num_threads</c> (BLIS reports −1 when neither <c>BLIS_NUM_THREADS</c> nor
    /// <c>OMP_NUM_THREADS</c> is set and then runs on one thread, so that reads as 1); null when the library has no
    /// thread control (reference BLAS is single-threaded).
    /// </summary>
    public int? Threads
    {
        get
        {
            if (_native.OpenblasGetNumThreads is not null)
            {
                return _native.OpenblasGetNumThreads();
            }

            if (_native.MklGetMaxThreads is not null)
            {
                return _native.MklGetMaxThreads();
            }

            if (_native.BliThreadGetNumThreads != 0)
            {
                long threads = _native.BlisIntegerBits == 64
                    ? ((delegate* unmanaged[Cdecl]<long>)_native.BliThreadGetNumThreads)()
                    : ((delegate* unmanaged[Cdecl]<int>)_native.BliThreadGetNumThreads)();
                return threads < 1 ? 1 : (int)Math.Min(threads, int.MaxValue);
            }

            return null;
        }
    }

    /// <summary>
    /// Where <see cref="Threads"/> came from: what <see cref="BlasThreadPolicy"/> decided when the library loaded
    /// (<c>set by BnNative: 2 cores / 1 rank</c>, <c>BNNATIVE_BLAS_THREADS</c>, or the vendor's variable such as
    /// <c>OPENBLAS_NUM_THREADS</c> that the library read itself), <c>set by TrySetThreads</c> once a caller changed it,
    /// or <c>no thread control</c> for reference BLAS.
    /// </summary>
    public string ThreadsSource { get; private set; } = "no thread control";

    /// <summary>
    /// Sets the number of threads the library uses from now on, process-wide for this library
    /// (<c>openblas_set_num_threads</c>, <c>MKL_Set_Num_Threads</c>, <c>bli_thread_set_num_threads</c>), replacing the
    /// count <see cref="BlasThreadPolicy"/> chose at load; <see cref="ThreadsSource"/> then reads <c>set by TrySetThreads</c>.
    /// OpenBLAS caps the value at the <c>MAX_THREADS</c> it was built with.
    /// </summary>
    /// <param name="n">The thread count; at least 1.</param>
    /// <returns>Whether the library has a thread control; false for reference BLAS.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is below 1.</exception>
    public bool TrySetThreads(int n)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        return SetThreads(n, "set by TrySetThreads");
    }

    /// <summary>Applies <see cref="BlasThreadPolicy"/> with this process's environment and cores; once, when the library first loads.</summary>
    private void ApplyThreadPolicy()
    {
        var choice = BlasThreadPolicy.Decide(Vendor, Environment.GetEnvironmentVariable, Environment.ProcessorCount);
        if (choice.Threads is not { } n || !SetThreads(n, choice.Source))
        {
            ThreadsSource = choice.Source;
        }
    }

    private bool SetThreads(int n, string source)
    {
        if (_native.OpenblasSetNumThreads is not null)
        {
            _native.OpenblasSetNumThreads(n);
        }
        else if (_native.MklSetNumThreads is not null)
        {
            _native.MklSetNumThreads(n);
        }
        else if (_native.BliThreadSetNumThreads != 0)
        {
            if (_native.BlisIntegerBits == 64)
            {
                ((delegate* unmanaged[Cdecl]<long, void>)_native.BliThreadSetNumThreads)(n);
            }
            else
            {
                ((delegate* unmanaged[Cdecl]<int, void>)_native.BliThreadSetNumThreads)(n);
            }
        }
        else
        {
            return false;
        }

        ThreadsSource = source;
        return true;
    }

    /// <summary>
    /// Loads a CBLAS library. <paramref name="nameOrPath"/> null → the <c>BNNATIVE_BLAS</c> environment variable;
    /// unset → the first that loads of mkl, openblas, blis, reference (each under its usual names and paths for
    /// the operating system). A vendor name tries only that vendor's candidates; a path or file name tries only
    /// that file, whatever its vendor. A candidate is accepted when it exports every CBLAS function BnNative uses,
    /// identifies as the vendor asked for, and passes verification calls with known results.
    /// </summary>
    /// <param name="nameOrPath">mkl | openblas | blis | reference (any case), a library path or file name, or null.</param>
    /// <returns>The library; the same instance for every request that resolves to the same loaded file.</returns>
    /// <exception cref="ArgumentException"><paramref name="nameOrPath"/> (or the environment variable) is neither a vendor name nor a path.</exception>
    /// <exception cref="BlasLibraryNotFoundException">No candidate was usable; the message lists each with its reason and what to install.</exception>
    public static CblasLibrary Load(string? nameOrPath = null)
    {
        if (!BlasLoadPlan.TryCreate(nameOrPath, out BlasLoadPlan? plan, out string? error))
        {
            throw new ArgumentException(error, nameof(nameOrPath));
        }

        return Load(plan!);
    }

    /// <summary>Loads the first usable candidate of one vendor; see <see cref="Load(string?)"/>.</summary>
    /// <param name="vendor">The vendor to load.</param>
    /// <returns>The library.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="vendor"/> is not a defined value.</exception>
    /// <exception cref="BlasLibraryNotFoundException">No candidate of the vendor was usable.</exception>
    public static CblasLibrary Load(BlasVendor vendor)
    {
        if (!Enum.IsDefined(vendor))
        {
            throw new ArgumentOutOfRangeException(nameof(vendor), vendor, "Expected Mkl, OpenBlas, Blis or Reference.");
        }

        return Load(BlasLoadPlan.ForVendor(vendor));
    }

    /// <summary>Like <see cref="Load(string?)"/>, but reports failure instead of throwing, including for an unknown name.</summary>
    /// <param name="nameOrPath">mkl | openblas | blis | reference (any case), a library path or file name, or null.</param>
    /// <param name="library">The library, or null.</param>
    /// <param name="failure">Why nothing loaded (the message <see cref="Load(string?)"/> would throw); empty on success.</param>
    /// <returns>Whether a library loaded.</returns>
    public static bool TryLoad(string? nameOrPath, [NotNullWhen(true)] out CblasLibrary? library, out string failure)
    {
        if (!BlasLoadPlan.TryCreate(nameOrPath, out BlasLoadPlan? plan, out string? error))
        {
            library = null;
            failure = error!;
            return false;
        }

        library = TryLoad(plan!, out IReadOnlyList<string> attempts);
        failure = library is null ? DescribeFailure(plan!, attempts) : string.Empty;
        return library is not null;
    }

    /// <summary>Tries every vendor in turn, for diagnostics such as <c>bnnative info</c>.</summary>
    /// <returns>One probe per vendor, in the order mkl, openblas, blis, reference.</returns>
    public static IReadOnlyList<BlasProbe> ProbeAll() =>
    [
        .. BlasVendorNames.SearchOrder.Select(vendor =>
        {
            BlasLoadPlan plan = BlasLoadPlan.ForVendor(vendor);
            CblasLibrary? library = TryLoad(plan, out IReadOnlyList<string> attempts);
            return new BlasProbe(vendor, library is not null, library?.Path, library is null ? DescribeFailure(plan, attempts) : null, library);
        }),
    ];

    /// <summary>The vendor, its configuration and the file it came from.</summary>
    /// <returns>For example <c>OpenBlas (OpenBLAS 0.3.21 …) at /usr/lib/…/libopenblasp-r0.3.21.so</c>.</returns>
    public override string ToString() => $"{Vendor} ({Config}) at {Path}";

    private static CblasLibrary Load(BlasLoadPlan plan) =>
        TryLoad(plan, out IReadOnlyList<string> attempts)
        ?? throw new BlasLibraryNotFoundException(DescribeFailure(plan, attempts), [.. plan.Candidates.Select(c => c.NameOrPath)]);

    private static CblasLibrary? TryLoad(BlasLoadPlan plan, out IReadOnlyList<string> attempts)
    {
        var reasons = new List<string>();
        attempts = reasons;
        foreach (BlasCandidate candidate in plan.Candidates)
        {
            CblasLibrary? library = TryLoad(candidate, out string reason);
            if (library is not null)
            {
                return library;
            }

            reasons.Add($"{candidate.NameOrPath}: {reason}");
        }

        return null;
    }

    /// <summary>Opens, identifies, verifies and caches one candidate.</summary>
    /// <param name="candidate">The name or path, and the vendor it must be.</param>
    /// <param name="reason">Why it was rejected; empty on success.</param>
    /// <returns>The library, or null.</returns>
    internal static CblasLibrary? TryLoad(BlasCandidate candidate, out string reason)
    {
        if (!TryOpen(candidate.NameOrPath, out nint handle, out reason))
        {
            return null;
        }

        lock (LoadLock)
        {
            if (!LoadedByHandle.TryGetValue(handle, out CblasLibrary? library))
            {
                CblasEntryPoints? native = CblasEntryPoints.TryResolve(handle, out string? missing);
                if (native is null)
                {
                    reason = $"missing symbol {missing}";
                    return null;
                }

                BlasVendor vendor = native.IdentifyVendor();
                string config = ReadConfig(native, vendor);
                string? failure = CblasVerification.Check(native, vendor, config);
                if (failure is not null)
                {
                    reason = failure;
                    return null;
                }

                library = new CblasLibrary(native, vendor, NativeModulePath.Of((nint)native.Sdot) ?? candidate.NameOrPath, config);
                library.ApplyThreadPolicy();
                LoadedByHandle.Add(handle, library);
            }

            if (candidate.Expected is BlasVendor expected && library.Vendor != expected)
            {
                reason = $"is {library.Vendor.DisplayName()} ({library.Path}), not {expected.DisplayName()}";
                return null;
            }

            reason = string.Empty;
            return library;
        }
    }

    private static bool TryOpen(string nameOrPath, out nint handle, out string reason)
    {
        handle = 0;
        reason = string.Empty;
        if (System.IO.Path.IsPathRooted(nameOrPath) && !File.Exists(nameOrPath))
        {
            reason = "not found";
            return false;
        }

        try
        {
            handle = NativeLibrary.Load(nameOrPath);
            return true;
        }
        catch (DllNotFoundException e)
        {
            reason = e.Message.Contains("No such file", StringComparison.Ordinal) ? "not found" : $"could not be loaded: {LastLine(e.Message)}";
        }
        catch (BadImageFormatException e)
        {
            reason = $"not a library for this process: {LastLine(e.Message)}";
        }

        return false;
    }

    private static string LastLine(string message) =>
        message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? message;

    private static string ReadConfig(CblasEntryPoints native, BlasVendor vendor)
    {
        switch (vendor)
        {
            case BlasVendor.OpenBlas:
                return Marshal.PtrToStringUTF8((nint)native.OpenblasGetConfig())?.Trim() ?? "OpenBLAS";
            case BlasVendor.Blis:
                return "BLIS " + Marshal.PtrToStringUTF8((nint)native.BliInfoGetVersionStr());
            case BlasVendor.Mkl:
                const int Capacity = 512;
                byte* buffer = stackalloc byte[Capacity];
                new Span<byte>(buffer, Capacity).Clear();
                native.MklGetVersionString(buffer, Capacity - 1);
                return Marshal.PtrToStringUTF8((nint)buffer)?.Trim() ?? "MKL";
            default:
                return "reference BLAS";
        }
    }

    private static string DescribeFailure(BlasLoadPlan plan, IReadOnlyList<string> attempts)
    {
        var message = new StringBuilder($"No usable CBLAS library for {plan.Requested}. Tried:");
        foreach (string attempt in attempts)
        {
            message.Append("\n  ").Append(attempt);
        }

        message.Append("\nTo install: ").AppendJoin("; ", plan.Vendors.Select(BlasCandidates.InstallHint));
        message.Append($".\nOr set {EnvironmentVariable} to {BlasLoadPlan.AcceptedNames}.");
        return message.ToString();
    }
}
