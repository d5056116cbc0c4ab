using BnNative.IO;
using BnNative.Normalization;
using BnNative.Tensors;
using BnNative.Tests.IO;

namespace BnNative.Tests.StateFile;

/// <summary>
/// <see cref="BatchNormStateFile.Load{T}"/> refuses a file that does not hold a valid state with an
/// <see cref="InvalidDataException"/> whose message names the file and the offending key.
/// </summary>
public sealed class StateFileLoadRejectionTests
{
    private const string Mean = BatchNormStateFile.MeanKey;
    private const string Variance = BatchNormStateFile.VarianceKey;
    private const string Gamma = BatchNormStateFile.GammaKey;
    private const string Beta = BatchNormStateFile.BetaKey;
    private const string Step = BatchNormStateFile.StepKey;

    /// <summary>Case → the key the message must name and the array that replaces it (null: the key is left out).</summary>
    private static readonly Dictionary<string, (string Key, NpyArray? Array)> Cases = new()
    {
        ["no mean/EMA"] = (Mean, null),
        ["no variance/EMA"] = (Variance, null),
        ["no gamma"] = (Gamma, null),
        ["no beta"] = (Beta, null),
        ["no step"] = (Step, null),
        ["mean/EMA float64"] = (Mean, StateFiles.Vector(0.0, 1, 2, 3)),
        ["gamma float64"] = (Gamma, StateFiles.Vector(1.0, 1, 1, 1)),
        ["beta int64"] = (Beta, StateFiles.Raw("<i8", "(4,)", NpyBytes.Longs(0, 0, 0, 0))),
        ["variance/EMA [2, 2]"] = (Variance, NpyArray.FromTensor(TensorView<float>.Create(new float[] { 1, 1, 1, 1 }, 2, 2))),
        ["gamma float32 scalar"] = (Gamma, StateFiles.Raw("<f4", "()", NpyBytes.Floats(1))),
        ["beta of 3 channels"] = (Beta, StateFiles.Vector(0f, 0, 0)),
        ["variance/EMA of 5 channels"] = (Variance, StateFiles.Vector(1f, 1, 1, 1, 1)),
        ["gamma of 1 channel"] = (Gamma, StateFiles.Vector(1f)),
        ["mean/EMA of 0 channels"] = (Mean, StateFiles.Vector(Array.Empty<float>())),
        ["step float64 scalar"] = (Step, StateFiles.Raw("<f8", "()", NpyBytes.Doubles(3))),
        ["step int64 [1]"] = (Step, StateFiles.Raw("<i8", "(1,)", NpyBytes.Longs(3))),
        ["step int64 [2]"] = (Step, StateFiles.Raw("<i8", "(2,)", NpyBytes.Longs(3, 4))),
        ["step float32 [4]"] = (Step, StateFiles.Vector(3f, 3, 3, 3)),
        ["step −1"] = (Step, NpyArray.FromInt64Scalar(-1)),
        ["variance/EMA with −1"] = (Variance, StateFiles.Vector(1f, -1, 1, 1)),
        ["variance/EMA with −∞"] = (Variance, StateFiles.Vector(1f, 1, 1, float.NegativeInfinity)),
        ["variance/EMA with a negative subnormal"] = (Variance, StateFiles.Vector(-float.Epsilon, 1, 1, 1)),
    };

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    public static TheoryData<int> Truncations => [0, 1, 22, 100, 400, -22, -1];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void ABadEntryIsRejectedNamingTheFileAndKey(string name)
    {
        var (key, replacement) = Cases[name];
        var entries = ValidEntries()
            .Select(entry => entry.Key == key ? (entry.Key, replacement) : (entry.Key, (NpyArray?)entry.Array))
            .Where(entry => entry.Item2 is not null)
            .Select(entry => (entry.Key, entry.Item2!))
            .ToList();

        AssertRejected<float>(path => NpzFile.Write(path, entries), key);
    }

    [Fact]
    public void ADoubleStateDoesNotLoadAsFloatNorTheOtherWayRound()
    {
        AssertRejected<float>(path => BatchNormStateFile.Save(path, BatchNormState<double>.Init(2)), Mean, "Float64");
        AssertRejected<double>(path => BatchNormStateFile.Save(path, BatchNormState<float>.Init(2)), Mean, "Float32");
    }

    [Fact]
    public void AStateWithNoChannelsIsRejected()
    {
        var empty = StateFiles.Vector(Array.Empty<float>());

        AssertRejected<float>(path => NpzFile.Write(path, [(Mean, empty), (Variance, empty), (Gamma, empty), (Beta, empty), (Step, NpyArray.FromInt64Scalar(0))]), "channel");
    }

    /// <summary>Cuts a valid file to <paramref name="length"/> bytes (negative: that many fewer than the whole).</summary>
    [Theory]
    [MemberData(nameof(Truncations))]
    public void ATruncatedFileIsRejected(int length) =>
        AssertRejected<float>(path =>
        {
            NpzFile.Write(path, ValidEntries());
            byte[] bytes = File.ReadAllBytes(path);
            File.WriteAllBytes(path, bytes[..(length >= 0 ? length : bytes.Length + length)]);
        });

    [Fact]
    public void AFlippedDataBitIsRejectedNamingTheMember() =>
        AssertRejected<float>(
            path =>
            {
                NpzFile.Write(path, ValidEntries());
                byte[] bytes = File.ReadAllBytes(path);
                int at = bytes.AsSpan().IndexOf(BitConverter.GetBytes(0.25f));
                bytes[at] ^= 1;
                File.WriteAllBytes(path, bytes);
            },
            Mean + ".npy");

    [Fact]
    public void AMissingFileIsFileNotFound()
    {
        using var directory = new TempDirectory();

        Assert.Throws<FileNotFoundException>(() => BatchNormStateFile.Load<float>(directory.File("missing.npz")));
    }

    /// <summary>A valid float state of 4 channels; the moving mean starts with 0.25, found nowhere else in the file.</summary>
    private static List<(string Key, NpyArray Array)> ValidEntries() =>
    [
        (Mean, StateFiles.Vector(0.25f, 1, 2, 3)),
        (Variance, StateFiles.Vector(1f, 2, 3, 4)),
        (Gamma, StateFiles.Vector(1f, 1, 1, 1)),
        (Beta, StateFiles.Vector(0f, 0, 0, 0)),
        (Step, NpyArray.FromInt64Scalar(3)),
    ];

    /// <summary>Writes a file with <paramref name="write"/>, loads it as <typeparamref name="T"/> and checks the message names the file and every fragment.</summary>
    private static void AssertRejected<T>(Action<string> write, params string[] fragments)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        using var directory = new TempDirectory();
        string path = directory.File("state.npz");
        write(path);

        var e = Assert.Throws<InvalidDataException>(() => BatchNormStateFile.Load<T>(path));

        foreach (string fragment in fragments.Prepend(path))
        {
            Assert.True(e.Message.Contains(fragment, StringComparison.Ordinal), $"'{fragment}' not in the message: {e.Message}");
        }
    }
}
