namespace BnNative.Tests.Properties;

/// <summary>
/// Every past failure of a property, kept as a regression case. <see cref="PropertyCheck.ForAll{T}"/> replays a
/// property's seeds before it draws fresh cases.
/// </summary>
/// <remarks>
/// When a property fails, FsCheck prints "Replay directly at failing step with (seed,gamma,size)". Add that triple
/// under the property's method name, with a comment saying what failed and where it was fixed. For a
/// <see cref="MomentsPropertyAttribute"/> property, add a copy of the method instead, marked
/// <c>[MomentsProperty(Replay = "(seed,gamma,size)", MaxTest = 1)]</c>.
/// No property has failed against the backends so far, so the list is empty.
/// </remarks>
public static class RegressionSeeds
{
    private static readonly Dictionary<string, string[]> Seeds = new(StringComparer.Ordinal)
    {
    };

    /// <summary>The replays kept for the property named <paramref name="property"/>.</summary>
    public static string[] For(string property) => Seeds.GetValueOrDefault(property, []);
}
