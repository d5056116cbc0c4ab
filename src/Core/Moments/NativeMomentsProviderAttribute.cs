namespace BnNative.Moments;

/// <summary>Names the <see cref="INativeMomentsProvider"/> an assembly offers; the type needs a public parameterless constructor.</summary>
[AttributeUsage(AttributeTargets.Assembly)]
public sealed class NativeMomentsProviderAttribute : Attribute
{
    /// <summary>Names the provider type.</summary>
    public NativeMomentsProviderAttribute(Type providerType) => ProviderType = providerType;

    /// <summary>The provider type.</summary>
    public Type ProviderType { get; }
}
