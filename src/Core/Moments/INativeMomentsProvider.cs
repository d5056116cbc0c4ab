using System.Diagnostics.CodeAnalysis;

namespace BnNative.Moments;

/// <summary>
/// How a native assembly plugs moments backends into Core (Core never references native code). An assembly
/// names its provider with <see cref="NativeMomentsProviderAttribute"/>; Core finds it by probing for the
/// assembly <c>BnNative.Native</c>, or an application installs one with <see cref="NativeMomentsProviders.Use"/>.
/// </summary>
public interface INativeMomentsProvider
{
    /// <summary>
    /// Creates a backend over <paramref name="library"/> (a name or path; null for the provider's default),
    /// verifying that the native library works, or returns false with the reason.
    /// </summary>
    bool TryCreate(string? library, [NotNullWhen(true)] out MomentsBackend? backend, out string failure);
}
