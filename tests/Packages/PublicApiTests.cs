using System.Reflection;
using PublicApiGenerator;

namespace BnNative.Tests.Packages;

/// <summary>
/// The public API of every packaged library against its checked-in baseline (tests/Packages/PublicApi/*.txt), so an API
/// change shows up in review as a diff of that file. To accept an intended change, run
/// <c>BNNATIVE_ACCEPT_API=1 dotnet test tests/Packages --filter PublicApi</c> and commit the rewritten baseline.
/// </summary>
public sealed class PublicApiTests
{
    public static TheoryData<string> Assemblies => new()
    {
        "BnNative.Core",
        "BnNative.Native",
        "BnNative.MathNet",
        "BnNative.NumericsTensors",
        "BnNative.Testing",
    };

    [Theory]
    [MemberData(nameof(Assemblies))]
    public void PublicApiMatchesTheBaseline(string assemblyName)
    {
        var assembly = Assembly.Load(assemblyName);
        string actual = Normalize(assembly.GeneratePublicApi(new ApiGeneratorOptions { IncludeAssemblyAttributes = false }));
        string folder = Path.Combine(Repository.Root, "tests", "Packages", "PublicApi");
        string baselinePath = Path.Combine(folder, assemblyName + ".txt");
        string receivedPath = Path.Combine(folder, assemblyName + ".received.txt");
        if (Environment.GetEnvironmentVariable("BNNATIVE_ACCEPT_API") == "1")
        {
            File.WriteAllText(baselinePath, actual);
        }

        string expected = File.Exists(baselinePath) ? Normalize(File.ReadAllText(baselinePath)) : string.Empty;
        if (expected == actual)
        {
            File.Delete(receivedPath);
            return;
        }

        File.WriteAllText(receivedPath, actual);
        Assert.Fail(
            $"The public API of {assemblyName} differs from {baselinePath} (the new API is in {receivedPath}).\n"
            + FirstDifference(expected, actual)
            + "\nIf the change is intended: BNNATIVE_ACCEPT_API=1 dotnet test tests/Packages --filter PublicApi, then commit the baseline.");
    }

    private static string Normalize(string api) => api.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd() + "\n";

    private static string FirstDifference(string expected, string actual)
    {
        string[] left = expected.Split('\n');
        string[] right = actual.Split('\n');
        int line = 0;
        while (line < left.Length && line < right.Length && left[line] == right[line])
        {
            line++;
        }

        string Line(string[] lines) => line < lines.Length ? lines[line] : "(end of file)";
        return $"First difference at line {line + 1}:\n  baseline: {Line(left)}\n  actual:   {Line(right)}";
    }
}
