using System.Text.RegularExpressions;

namespace BnNative.Tests.Packages;

/// <summary>Where this repository's files are, found from the test assembly's folder, and the one package version.</summary>
internal static partial class Repository
{
    /// <summary>The folder holding BnNative.sln.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>Where the Pack target writes the packages.</summary>
    public static string Packages => Path.Combine(Root, "artifacts", "packages");

    /// <summary>The version of every package: the &lt;Version&gt; in Directory.Build.props.</summary>
    public static string Version { get; } = ReadVersion();

    /// <summary>The path of a packed file, failing with what to run when it is missing.</summary>
    public static string PackedFile(string fileName)
    {
        string path = Path.Combine(Packages, fileName);
        Assert.True(
            File.Exists(path),
            $"{path} does not exist. Pack first: ./build.sh --target=Pack (the Test target packs before it tests).");
        return path;
    }

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "BnNative.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No BnNative.sln above {AppContext.BaseDirectory}.");
    }

    private static string ReadVersion()
    {
        var match = VersionElement().Match(File.ReadAllText(Path.Combine(Root, "Directory.Build.props")));
        return match.Success ? match.Groups[1].Value : throw new InvalidOperationException("Directory.Build.props has no <Version>.");
    }

    [GeneratedRegex("<Version>([^<]+)</Version>")]
    private static partial Regex VersionElement();
}
