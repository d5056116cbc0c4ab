namespace BnNative.Tests;

/// <summary>This test assembly's name, for xunit discoverer attributes.</summary>
internal static class TestAssembly
{
    public const string Name = "BnNative.Unit.Tests";
}
