using System.IO.Compression;
using System.Xml.Linq;

namespace BnNative.Tests.Packages;

/// <summary>
/// The .nupkg and .snupkg files the Pack target writes: every package carries its README, the license, the one
/// version, its assemblies with XML docs and symbols, and dependencies on the other BnNative packages at that version;
/// the bnnative tool stays small and carries none of the demo's native plotting libraries.
/// </summary>
public sealed class PackageContentTests
{
    /// <summary>Every package id, whether it is a .NET tool, and the BnNative packages it must depend on.</summary>
    public static TheoryData<string, bool, string[]> Packages => new()
    {
        { "BnNative.Core", false, [] },
        { "BnNative.Native", false, ["BnNative.Core"] },
        { "BnNative.MathNet", false, ["BnNative.Core", "BnNative.Native", "MathNet.Numerics"] },
        { "BnNative.NumericsTensors", false, ["BnNative.Core", "System.Numerics.Tensors"] },
        { "BnNative.Testing", false, ["BnNative.Core", "FsCheck"] },
        { "BnNative.Tool", true, [] },
        { "BnNative.Demo", true, [] },
    };

    /// <summary>The bnnative tool's package may not grow past this (the demo's plotting natives once made it 78 MB).</summary>
    private const long ToolPackageLimit = 8L << 20;

    [Theory]
    [MemberData(nameof(Packages))]
    public void PackageCarriesReadmeLicenseVersionAndDocs(string id, bool tool, string[] dependencies)
    {
        using var package = ZipFile.OpenRead(Repository.PackedFile($"{id}.{Repository.Version}.nupkg"));
        var names = package.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
        var nuspec = ReadNuspec(package, id);
        XNamespace ns = nuspec.Root!.Name.Namespace;
        var metadata = nuspec.Root.Element(ns + "metadata")!;

        Assert.Equal(id, metadata.Element(ns + "id")?.Value);
        Assert.Equal(Repository.Version, metadata.Element(ns + "version")?.Value);
        Assert.False(string.IsNullOrWhiteSpace(metadata.Element(ns + "description")?.Value), $"{id} has no description.");
        var license = metadata.Element(ns + "license");
        Assert.Equal("expression", license?.Attribute("type")?.Value);
        Assert.Equal("MIT", license?.Value);
        Assert.Contains("LICENSE", names);
        Assert.Equal("README.md", metadata.Element(ns + "readme")?.Value);
        Assert.Contains("README.md", names);
        using (var reader = new StreamReader(package.GetEntry("README.md")!.Open()))
        {
            Assert.StartsWith("# ", reader.ReadToEnd(), StringComparison.Ordinal);
        }

        if (tool)
        {
            var types = metadata.Element(ns + "packageTypes")?.Elements(ns + "packageType").Select(e => e.Attribute("name")?.Value);
            Assert.Contains("DotnetTool", types ?? []);
            Assert.Contains(names, n => n.StartsWith("tools/net10.0/any/", StringComparison.Ordinal) && n.EndsWith("DotnetToolSettings.xml", StringComparison.Ordinal));
        }
        else
        {
            Assert.Contains($"lib/net10.0/{id}.dll", names);
            Assert.Contains($"lib/net10.0/{id}.xml", names);
        }

        var declared = metadata.Descendants(ns + "dependency").ToDictionary(d => d.Attribute("id")!.Value, d => d.Attribute("version")!.Value);
        foreach (string dependency in dependencies)
        {
            Assert.True(declared.ContainsKey(dependency), $"{id} does not depend on {dependency}; it declares [{string.Join(", ", declared.Keys)}].");
            if (dependency.StartsWith("BnNative.", StringComparison.Ordinal))
            {
                Assert.Equal(Repository.Version, declared[dependency]);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Packages))]
    public void SymbolPackageHoldsThePdbs(string id, bool tool, string[] dependencies)
    {
        _ = dependencies;
        using var symbols = ZipFile.OpenRead(Repository.PackedFile($"{id}.{Repository.Version}.snupkg"));
        string folder = tool ? "tools/net10.0/any/" : "lib/net10.0/";
        Assert.Contains(symbols.Entries, e => e.FullName.StartsWith(folder, StringComparison.Ordinal) && e.FullName.EndsWith(".pdb", StringComparison.Ordinal));
    }

    [Fact]
    public void ToolPackageStaysSmallAndCarriesNoPlottingNatives()
    {
        string path = Repository.PackedFile($"BnNative.Tool.{Repository.Version}.nupkg");
        long size = new FileInfo(path).Length;
        Assert.True(size < ToolPackageLimit, $"BnNative.Tool is {size} bytes; the limit is {ToolPackageLimit}.");
        using var package = ZipFile.OpenRead(path);
        Assert.DoesNotContain(package.Entries, e => e.Name.Contains("Skia", StringComparison.OrdinalIgnoreCase) || e.Name.Contains("ScottPlot", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void DemoPackageCarriesThePlottingLibraries()
    {
        using var package = ZipFile.OpenRead(Repository.PackedFile($"BnNative.Demo.{Repository.Version}.nupkg"));
        Assert.Contains(package.Entries, e => e.Name == "ScottPlot.dll");
        Assert.Contains(package.Entries, e => e.Name == "libSkiaSharp.so");
    }

    private static XDocument ReadNuspec(ZipArchive package, string id)
    {
        var entry = package.GetEntry($"{id}.nuspec") ?? throw new InvalidDataException($"{id} has no {id}.nuspec.");
        using var stream = entry.Open();
        return XDocument.Load(stream);
    }
}
