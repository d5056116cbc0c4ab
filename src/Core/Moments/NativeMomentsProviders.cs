using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace BnNative.Moments;

/// <summary>
/// Finds the native moments provider: the one installed with <see cref="Use"/>, else the one the assembly
/// <c>BnNative.Native</c> names with <see cref="NativeMomentsProviderAttribute"/> when that assembly can be loaded.
/// </summary>
public static class NativeMomentsProviders
{
    /// <summary>The assembly probed for a provider when none was installed.</summary>
    public const string NativeAssemblyName = "BnNative.Native";

    private static readonly Lock Gate = new();
    private static INativeMomentsProvider? _provider;
    private static string? _probeFailure;

    /// <summary>Installs <paramref name="provider"/> as the native moments provider.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="provider"/> is null.</exception>
    public static void Use(INativeMomentsProvider provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        lock (Gate)
        {
            _provider = provider;
            _probeFailure = null;
        }
    }

    /// <summary>The installed or probed provider, or null with the reason none was found.</summary>
    public static INativeMomentsProvider? Find(out string failure)
    {
        lock (Gate)
        {
            if (_provider is null && _probeFailure is null)
            {
                _provider = Probe(out _probeFailure);
            }

            failure = _probeFailure ?? string.Empty;
            return _provider;
        }
    }

    internal static bool TryCreate(string? library, [NotNullWhen(true)] out MomentsBackend? backend, out string failure)
    {
        var provider = Find(out failure);
        if (provider is null)
        {
            backend = null;
            return false;
        }

        return provider.TryCreate(library, out backend, out failure);
    }

    private static INativeMomentsProvider? Probe(out string? failure)
    {
        Assembly assembly;
        try
        {
            assembly = Assembly.Load(new AssemblyName(NativeAssemblyName));
        }
        catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException)
        {
            failure = $"The native backends need the {NativeAssemblyName} assembly (NuGet package BnNative.Native), which could not be loaded: {e.Message}";
            return null;
        }

        var attribute = assembly.GetCustomAttribute<NativeMomentsProviderAttribute>();
        if (attribute is null || Activator.CreateInstance(attribute.ProviderType) is not INativeMomentsProvider provider)
        {
            failure = $"{NativeAssemblyName} does not name an {nameof(INativeMomentsProvider)}.";
            return null;
        }

        failure = null;
        return provider;
    }
}
