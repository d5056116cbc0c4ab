using BnNative.IO;
using BnNative.Tensors;
using BnNative.Tests.Core;

namespace BnNative.Tests.IO;

/// <summary>Writes to a path replace the file whole or not at all, and leave no temporary file behind.</summary>
public sealed class AtomicWriteTests
{
    private static readonly byte[] Original = [1, 2, 3, 4];

    [Fact]
    public void WritingIntoAMissingDirectoryFailsAndCreatesNothing()
    {
        using var directory = new TempDirectory();
        string path = Path.Combine(directory.Path, "missing", "x.npy");

        var e = Assert.Throws<DirectoryNotFoundException>(() => NpyFile.Write(path, TestTensors.Iota(3)));
        Assert.Throws<DirectoryNotFoundException>(() => NpzFile.Write(path, [("x", NpyArray.FromInt64Scalar(1))]));

        Assert.Equal($"Cannot write '{path}': expected the directory '{Path.GetDirectoryName(path)}' to exist, found none.", e.Message);
        Assert.False(Directory.Exists(Path.GetDirectoryName(path)));
        Assert.Empty(directory.FileNames());
    }

    [Fact]
    public void AFailureWhileReadingTheTensorLeavesTheExistingFileUnchanged()
    {
        var failing = new TensorView<float>(new FailingMemory<float>(6).Create(), TensorShape.RowMajor(2, 3));

        AssertFailedWriteChangesNothing<InvalidOperationException>(path => NpyFile.Write(path, failing));
    }

    [Fact]
    public void AFailureAfterPartOfTheDataLeavesTheExistingFileUnchanged() =>
        AssertFailedWriteChangesNothing<IOException>(path => AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[100_000]);
            stream.Flush();
            Assert.True(File.Exists(((FileStream)stream).Name));
            throw new IOException("Simulated disk failure.");
        }));

    [Fact]
    public void TheTemporaryFileIsHiddenUniqueAndInTheTargetsDirectory()
    {
        using var directory = new TempDirectory();
        string path = directory.File("state.npz");
        var names = new List<string>();

        for (int i = 0; i < 2; i++)
        {
            AtomicFile.Write(path, stream => names.Add(((FileStream)stream).Name));
        }

        Assert.All(names, name =>
        {
            Assert.Equal(directory.Path, Path.GetDirectoryName(name));
            Assert.Matches(@"^\.state\.npz\.[0-9a-f]{32}\.tmp$", Path.GetFileName(name));
        });
        Assert.NotEqual(names[0], names[1]);
        Assert.Equal(["state.npz"], directory.FileNames());
    }

    [Fact]
    public void ASuccessfulWriteReplacesTheFile()
    {
        using var directory = new TempDirectory();
        string path = directory.File("x.npy");
        File.WriteAllBytes(path, Original);

        NpyFile.WriteInt64Scalar(path, 12);

        Assert.Equal(12, NpyFile.Read(path).AsInt64Scalar());
        Assert.Equal(["x.npy"], directory.FileNames());
    }

    [Fact]
    public void ReplacingADirectoryFailsAndRemovesTheTemporaryFile()
    {
        using var directory = new TempDirectory();
        string path = directory.File("taken");
        Directory.CreateDirectory(path);

        Assert.ThrowsAny<IOException>(() => NpyFile.WriteInt64Scalar(path, 1));

        Assert.True(Directory.Exists(path));
        Assert.Empty(directory.FileNames());
    }

    [Fact]
    public void APathWithoutAFileNameIsRejected()
    {
        using var directory = new TempDirectory();

        var e = ParamAssert.Throws<ArgumentException>("path", () => NpyFile.WriteInt64Scalar(directory.Path + Path.DirectorySeparatorChar, 1));

        Assert.Contains("names a directory", e.Message);
        ParamAssert.Throws<ArgumentException>("path", () => NpyFile.WriteInt64Scalar("", 1));
    }

    /// <summary>Runs a write that must fail over an existing x.npy, and checks the file and its directory are as before.</summary>
    private static void AssertFailedWriteChangesNothing<TException>(Action<string> write)
        where TException : Exception
    {
        using var directory = new TempDirectory();
        string path = directory.File("x.npy");
        File.WriteAllBytes(path, Original);

        Assert.Throws<TException>(() => write(path));

        Assert.Equal(Original, File.ReadAllBytes(path));
        Assert.Equal(["x.npy"], directory.FileNames());
    }
}
