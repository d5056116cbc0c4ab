using BnNative.IO;
using BnNative.Normalization;
using BnNative.Tests.IO;

namespace BnNative.Tests.StateFile;

/// <summary><see cref="BatchNormStateFile.Save{T}"/> replaces the file whole or leaves everything as it was.</summary>
public sealed class StateFileAtomicSaveTests
{
    [Fact]
    public void SavingIntoAMissingDirectoryCreatesNothing()
    {
        using var directory = new TempDirectory();
        string path = Path.Combine(directory.Path, "missing", "state.npz");

        Assert.Throws<DirectoryNotFoundException>(() => BatchNormStateFile.Save(path, BatchNormState<float>.Init(2)));

        Assert.Empty(Directory.GetFileSystemEntries(directory.Path));
    }

    [Fact]
    public void SavingOntoADirectoryFailsAndLeavesItAndItsContentsAlone()
    {
        using var directory = new TempDirectory();
        string path = directory.File("state.npz");
        Directory.CreateDirectory(path);
        File.WriteAllBytes(Path.Combine(path, "keep"), [1, 2, 3]);

        Assert.ThrowsAny<IOException>(() => BatchNormStateFile.Save(path, BatchNormState<double>.Init(2)));

        Assert.True(Directory.Exists(path));
        Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(Path.Combine(path, "keep")));
        Assert.Equal([path], Directory.GetFileSystemEntries(directory.Path));
    }

    [Fact]
    public void ASaveReplacesTheFileWithoutWritingIntoTheOldOne()
    {
        using var directory = new TempDirectory();
        string path = directory.File("state.npz");
        var old = StateFiles.RandomBitsState<float>(4, 1, seed: 1);
        var next = StateFiles.RandomBitsState<float>(6, 2, seed: 2);
        BatchNormStateFile.Save(path, old);
        byte[] oldBytes = File.ReadAllBytes(path);

        using var reader = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        BatchNormStateFile.Save(path, next);

        // The open handle still sees the old file whole: the new content went to another file that was renamed over it.
        var seen = new MemoryStream();
        reader.CopyTo(seen);
        Assert.Equal(oldBytes, seen.ToArray());
        StateFiles.AssertBitwise(next, BatchNormStateFile.Load<float>(path));
        Assert.Equal(["state.npz"], directory.FileNames());
    }
}
