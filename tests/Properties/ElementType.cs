namespace BnNative.Tests.Properties;

/// <summary>The element type a generated tensor is stored in.</summary>
public enum ElementType
{
    /// <summary><see cref="float"/>.</summary>
    Single,

    /// <summary><see cref="double"/>.</summary>
    Double,
}
