using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using BnNative.Moments;

[assembly: NativeMomentsProvider(typeof(BnNative.Native.Blas.CblasMomentsProvider))]

namespace BnNative.Native.Blas;

/// <summary>
/// Plugs <see cref="CblasMoments"/> into Core: <see cref="MomentsBackend.Cblas"/> finds this provider through
/// the assembly attribute. One backend per loaded library.
/// </summary>
public sealed class CblasMomentsProvider : INativeMomentsProvider
{
    private static readonly ConcurrentDictionary<CblasLibrary, CblasMoments> Backends = new();

    /// <summary>Installs this provider explicitly (instead of relying on probing for the assembly).</summary>
    public static void Use() => NativeMomentsProviders.Use(new CblasMomentsProvider());

    /// <inheritdoc />
    public bool TryCreate(string? library, [NotNullWhen(true)] out MomentsBackend? backend, out string failure)
    {
        try
        {
            if (!CblasLibrary.TryLoad(library, out var loaded, out failure))
            {
                backend = null;
                return false;
            }

            backend = Backends.GetOrAdd(loaded, l => new CblasMoments(l));
            return true;
        }
        catch (ArgumentException e)
        {
            failure = e.Message;
            backend = null;
            return false;
        }
    }
}
