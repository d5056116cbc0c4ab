using System.Buffers.Binary;
using System.IO.Compression;
using BnNative.IO;
using BnNative.Tensors;
using BnNative.Tests.Core;

namespace BnNative.Tests.IO;

public sealed class NpzFileTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ACheckpointRoundTripsBitwiseWithSlashedKeysInOrder(bool compress)
    {
        using var directory = new TempDirectory();
        string path = directory.File("ckpt.npz");
        var mean = IoTensors.RandomBits<float>([4], seed: 1);
        var variance = IoTensors.RandomBits<double>([2, 0, 3], seed: 2);
        var gamma = IoTensors.RandomBits<float>([], seed: 3);

        NpzFile.Write(path, Checkpoint(mean, variance, gamma), compress);
        var read = NpzFile.Read(path);

        Assert.Equal(["mean/EMA", "variance/EMA", "gamma", "global_step"], read.Keys);
        Assert.Equal(IoTensors.Bits(mean.Data), IoTensors.Bits(read["mean/EMA"].ToFloatTensor().Data));
        Assert.Equal([2, 0, 3], read["variance/EMA"].ToDoubleTensor().Lengths.ToArray());
        Assert.Equal(IoTensors.Bits(gamma.Data), IoTensors.Bits(read["gamma"].ToFloatTensor().Data));
        Assert.Equal(0, read["gamma"].Rank);
        Assert.Equal(1234, read["global_step"].AsInt64Scalar());
        Assert.Equal(["ckpt.npz"], directory.FileNames());
    }

    [Theory]
    [InlineData(false, 0)]
    [InlineData(true, 8)]
    public void MembersAreStoredOrDeflatedAndHoldExactlyTheNpyBytes(bool compress, int method)
    {
        var mean = TestTensors.Iota(2, 3);
        using var npz = new MemoryStream();
        using var npy = new MemoryStream();

        NpzFile.Write(npz, [("mean/EMA", NpyArray.FromTensor(mean))], compress);
        NpyFile.Write(npy, mean);
        byte[] archive = npz.ToArray();

        Assert.Equal(0x04034b50u, BinaryPrimitives.ReadUInt32LittleEndian(archive));
        Assert.Equal(method, BinaryPrimitives.ReadUInt16LittleEndian(archive.AsSpan(8)));
        using var zip = new ZipArchive(new MemoryStream(archive), ZipArchiveMode.Read);
        var entry = Assert.Single(zip.Entries);
        Assert.Equal("mean/EMA.npy", entry.FullName);
        using var member = new MemoryStream();
        entry.Open().CopyTo(member);
        Assert.Equal(npy.ToArray(), member.ToArray());
    }

    [Fact]
    public void WritingIsDeterministic()
    {
        var entries = Checkpoint(Tensor<float>.CopyOf(TestTensors.Iota(3)), Tensor<double>.Zeros(2), Tensor<float>.Zeros());
        using var first = new MemoryStream();
        using var second = new MemoryStream();

        NpzFile.Write(first, entries);
        NpzFile.Write(second, entries);

        Assert.Equal(first.ToArray(), second.ToArray());
        using var zip = new ZipArchive(new MemoryStream(first.ToArray()), ZipArchiveMode.Read);
        Assert.All(zip.Entries, entry => Assert.Equal(new DateTime(1980, 1, 1), entry.LastWriteTime.DateTime));
    }

    [Fact]
    public void AnEmptyArchiveAndDirectoryEntriesAreFine()
    {
        using var empty = new MemoryStream();
        NpzFile.Write(empty, []);
        empty.Position = 0;

        Assert.Empty(NpzFile.Read(empty));

        byte[] withDirectory = Zip(("mean/", []), ("mean/EMA.npy", NpyBytes.Simple("<f4", "(1,)", NpyBytes.Floats(2))));
        Assert.Equal(["mean/EMA"], NpzFile.Read(new MemoryStream(withDirectory)).Keys);
    }

    [Fact]
    public void ATruncatedArchiveIsRejectedNamingTheFile()
    {
        using var stream = new MemoryStream();
        NpzFile.Write(stream, Checkpoint(Tensor<float>.Zeros(100), Tensor<double>.Zeros(100), Tensor<float>.Zeros()));
        byte[] archive = stream.ToArray();

        var e = AssertRejected(archive[..(archive.Length / 2)], null);

        Assert.Contains("expected a zip archive of .npy members, found a corrupt or truncated zip", e.Message);
        Assert.IsType<InvalidDataException>(e.InnerException);
    }

    [Fact]
    public void AFileThatIsNotAZipIsRejected()
    {
        var e = AssertRejected(NpyBytes.Simple("<f4", "(1,)", NpyBytes.Floats(1)), null);

        Assert.Contains("found a corrupt or truncated zip", e.Message);
    }

    [Fact]
    public void AMemberThatIsNotAValidNpyIsRejectedNamingTheMember()
    {
        byte[] archive = Zip(
            ("mean/EMA.npy", NpyBytes.Simple("<f4", "(1,)", NpyBytes.Floats(1))),
            ("variance/EMA.npy", "not an array"u8.ToArray()));

        var e = AssertRejected(archive, "variance/EMA.npy");

        Assert.Contains("expected the magic string \\x93NUMPY, found not an", e.Message);
    }

    [Fact]
    public void ATruncatedMemberIsRejectedNamingTheMember()
    {
        byte[] archive = Zip(("gamma.npy", NpyBytes.Simple("<f8", "(3,)", NpyBytes.Doubles(1, 2))));

        var e = AssertRejected(archive, "gamma.npy");

        Assert.Contains("expected 24 data bytes for shape (3,) of '<f8', found 16", e.Message);
    }

    [Fact]
    public void AMemberWithBytesAfterItsArrayIsRejected()
    {
        byte[] archive = Zip(("gamma.npy", [.. NpyBytes.Simple("<f8", "(1,)", NpyBytes.Doubles(1)), 0]));

        Assert.Contains("found 1 more bytes", AssertRejected(archive, "gamma.npy").Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void CorruptMemberDataIsRejectedNamingTheMember(bool compress)
    {
        using var stream = new MemoryStream();
        NpzFile.Write(stream, [("beta", NpyArray.FromTensor(Tensor<double>.Zeros(64).View))], compress);
        byte[] archive = stream.ToArray();
        int dataEnd = FirstMemberDataStart(archive) + (int)BinaryPrimitives.ReadUInt32LittleEndian(archive.AsSpan(18));
        archive.AsSpan(dataEnd - 8, 8).Fill(0x5A);

        var e = AssertRejected(archive, "beta.npy");

        // Stored data fails the CRC check; deflated data fails in the inflater or ends early.
        Assert.Contains(compress ? "beta.npy" : "(the member data is corrupt)", e.Message);
    }

    [Fact]
    public void AFlippedBitInStoredDataFailsTheCrcCheck()
    {
        using var stream = new MemoryStream();
        NpzFile.Write(stream, [("beta", NpyArray.FromTensor(Tensor<double>.Zeros(8).View))]);
        byte[] archive = stream.ToArray();
        archive[FirstMemberDataStart(archive) + 128 + 3] ^= 0x10;

        var e = AssertRejected(archive, "beta.npy");

        Assert.Matches("expected CRC-32 [0-9a-f]{8} as the archive records, found [0-9a-f]{8}", e.Message);
    }

    [Fact]
    public void Crc32MatchesTheStandardCheckValue()
    {
        using var stream = new Crc32ReadStream(new MemoryStream("123456789"u8.ToArray()));
        stream.CopyTo(Stream.Null);

        Assert.Equal(0xCBF43926u, stream.Crc32);
    }

    [Fact]
    public void AMemberNotNamedNpyOrAKeyTwiceIsRejected()
    {
        byte[] array = NpyBytes.Simple("<f4", "(1,)", NpyBytes.Floats(1));

        Assert.Contains("expected a member name ending in '.npy'", AssertRejected(Zip(("notes.txt", array)), "notes.txt").Message);
        Assert.Contains("expected each key once, found 'a' twice", AssertRejected(Zip(("a.npy", array), ("a.npy", array)), "a.npy").Message);
    }

    [Fact]
    public void AStreamArchiveIsNamedAsAStream()
    {
        byte[] archive = Zip(("x.npy", "junk"u8.ToArray()));

        var e = Assert.Throws<InvalidDataException>(() => NpzFile.Read(new MemoryStream(archive)));

        Assert.StartsWith("Cannot read member 'x.npy' of the .npz stream: ", e.Message);
        Assert.StartsWith("Cannot read the .npz stream: ", Assert.Throws<InvalidDataException>(() => NpzFile.Read(new MemoryStream([1, 2, 3]))).Message);
    }

    [Theory]
    [InlineData("", "an empty key")]
    [InlineData("mean\\EMA", "with '\\' (use '/' between parts)")]
    [InlineData("/mean", "with an empty, '.' or '..' part")]
    [InlineData("mean//EMA", "with an empty, '.' or '..' part")]
    [InlineData("mean/", "with an empty, '.' or '..' part")]
    [InlineData("./mean", "with an empty, '.' or '..' part")]
    [InlineData("../mean", "with an empty, '.' or '..' part")]
    [InlineData("gamma", "which an earlier entry already uses")]
    public void BadKeysAreRejectedBeforeAnythingIsWritten(string key, string problem)
    {
        using var directory = new TempDirectory();
        string path = directory.File("x.npz");
        var entries = new List<(string, NpyArray)> { ("gamma", NpyArray.FromInt64Scalar(1)), (key, NpyArray.FromInt64Scalar(2)) };

        var e = ParamAssert.Throws<ArgumentException>("entries", () => NpzFile.Write(path, entries));

        Assert.StartsWith("entries[1] has ", e.Message);
        Assert.Contains(problem, e.Message);
        Assert.Empty(directory.FileNames());
    }

    [Fact]
    public void ArgumentsAreValidated()
    {
        ParamAssert.Throws<ArgumentException>("entries", () => NpzFile.Write(new MemoryStream(), [("a", null!)]));
        ParamAssert.Throws<ArgumentException>("entries", () => NpzFile.Write(new MemoryStream(), [(null!, NpyArray.FromInt64Scalar(1))]));
        ParamAssert.Throws<ArgumentNullException>("entries", () => NpzFile.Write(new MemoryStream(), null!));
        ParamAssert.Throws<ArgumentNullException>("entries", () => NpzFile.Write("x.npz", null!));
        ParamAssert.Throws<ArgumentNullException>("stream", () => NpzFile.Write((Stream)null!, []));
        ParamAssert.Throws<ArgumentNullException>("stream", () => NpzFile.Read((Stream)null!));
        ParamAssert.Throws<ArgumentNullException>("path", () => NpzFile.Read((string)null!));
        ParamAssert.Throws<ArgumentException>("path", () => NpzFile.Read(""));
    }

    private static List<(string Key, NpyArray Array)> Checkpoint(Tensor<float> mean, Tensor<double> variance, Tensor<float> gamma) =>
    [
        ("mean/EMA", NpyArray.FromTensor(mean.View)),
        ("variance/EMA", NpyArray.FromTensor(variance.View)),
        ("gamma", NpyArray.FromTensor(gamma.View)),
        ("global_step", NpyArray.FromInt64Scalar(1234)),
    ];

    /// <summary>Offset of the first member's data: after the 30-byte local header, the name and the extra field.</summary>
    private static int FirstMemberDataStart(byte[] archive) =>
        30 + BinaryPrimitives.ReadUInt16LittleEndian(archive.AsSpan(26)) + BinaryPrimitives.ReadUInt16LittleEndian(archive.AsSpan(28));

    /// <summary>A stored zip with the given members, built without this library's writer.</summary>
    private static byte[] Zip(params (string Name, byte[] Content)[] members)
    {
        using var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in members)
            {
                using var entry = zip.CreateEntry(name, CompressionLevel.NoCompression).Open();
                entry.Write(content);
            }
        }

        return stream.ToArray();
    }

    /// <summary>Reads <paramref name="archive"/> from a file and checks the message names the file (and the member).</summary>
    private static InvalidDataException AssertRejected(byte[] archive, string? member) =>
        IoAssert.Rejected(archive, "ckpt.npz", path => NpzFile.Read(path),
            path => member is null ? $"Cannot read '{path}': " : $"Cannot read member '{member}' of '{path}': ");
}
