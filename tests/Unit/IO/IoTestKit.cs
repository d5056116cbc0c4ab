using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;
using BnNative.IO;
using BnNative.Tensors;

namespace BnNative.Tests.IO;

/// <summary>A fresh directory under the system temp path, deleted with everything in it on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "bnnative-io-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>A path in this directory.</summary>
    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>The names of the files in this directory, sorted.</summary>
    public string[] FileNames() =>
        [.. Directory.GetFiles(Path).Select(f => System.IO.Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

/// <summary>Builds .npy bytes by hand, to read files this library would never write.</summary>
internal static class NpyBytes
{
    public static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Magic, version, a length field of the version's width, the header text as given, then the data.</summary>
    public static byte[] Build(string header, byte[] data, byte major = 1, byte minor = 0)
    {
        byte[] text = major == 3 ? Encoding.UTF8.GetBytes(header) : Encoding.Latin1.GetBytes(header);
        return Build(text, data, major, minor);
    }

    /// <summary>As <see cref="Build(string, byte[], byte, byte)"/> with raw header bytes.</summary>
    public static byte[] Build(byte[] header, byte[] data, byte major = 1, byte minor = 0)
    {
        var bytes = new List<byte>(Magic) { major, minor };
        var length = new byte[major == 1 ? 2 : 4];
        if (major == 1)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)header.Length);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)header.Length);
        }

        bytes.AddRange(length);
        bytes.AddRange(header);
        bytes.AddRange(data);
        return [.. bytes];
    }

    /// <summary>A version 1.0 file with the given descr and shape text and an unpadded header (readers must not require alignment).</summary>
    public static byte[] Simple(string descr, string shape, byte[] data, bool fortranOrder = false) =>
        Build($"{{'descr': '{descr}', 'fortran_order': {(fortranOrder ? "True" : "False")}, 'shape': {shape}, }}\n", data);

    /// <summary>A stream over <paramref name="bytes"/> that cannot seek, like a zip member's inflater.</summary>
    public static Stream ForwardOnly(byte[] bytes) => new Crc32ReadStream(new MemoryStream(bytes));

    public static byte[] Floats(params float[] values) => [.. values.SelectMany(BitConverter.GetBytes)];

    public static byte[] Doubles(params double[] values) => [.. values.SelectMany(BitConverter.GetBytes)];

    public static byte[] Longs(params long[] values) => [.. values.SelectMany(BitConverter.GetBytes)];

    /// <summary>Where the data starts in a .npy file: preamble, length field and header.</summary>
    public static int DataOffset(byte[] file) =>
        file[6] == 1
            ? 10 + BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(8))
            : 12 + (int)BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(8));

    /// <summary>The header text of a .npy file written by this library (ASCII).</summary>
    public static string HeaderText(byte[] file) =>
        Encoding.ASCII.GetString(file, file[6] == 1 ? 10 : 12, DataOffset(file) - (file[6] == 1 ? 10 : 12));
}

/// <summary>Memory whose span cannot be taken: a tensor view over it fails as soon as a writer touches its data.</summary>
internal sealed class FailingMemory<T> : MemoryManager<T>
{
    private readonly int _length;

    public FailingMemory(int length) => _length = length;

    public const string Message = "Simulated failure while reading the tensor data.";

    public Memory<T> Create() => CreateMemory(_length);

    public override Span<T> GetSpan() => throw new InvalidOperationException(Message);

    public override MemoryHandle Pin(int elementIndex = 0) => throw new InvalidOperationException(Message);

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
    }
}

/// <summary>Checks on files that must be refused.</summary>
internal static class IoAssert
{
    /// <summary>
    /// Writes <paramref name="bytes"/> to a temporary file called <paramref name="fileName"/>, passes its path to
    /// <paramref name="read"/>, and checks the <see cref="InvalidDataException"/> starts with
    /// <paramref name="where"/>(path) and contains every fragment.
    /// </summary>
    public static InvalidDataException Rejected(
        byte[] bytes, string fileName, Action<string> read, Func<string, string> where, params string[] fragments)
    {
        using var directory = new TempDirectory();
        string path = directory.File(fileName);
        File.WriteAllBytes(path, bytes);

        var e = Assert.Throws<InvalidDataException>(() => read(path));

        Assert.StartsWith(where(path), e.Message);
        foreach (string fragment in fragments)
        {
            Assert.Contains(fragment, e.Message);
        }

        return e;
    }
}

/// <summary>Tensors for exact (bitwise) round trips.</summary>
internal static class IoTensors
{
    /// <summary>A tensor whose elements are random bit patterns: NaN payloads, −0, infinities and subnormals included.</summary>
    public static Tensor<T> RandomBits<T>(int[] shape, int seed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var tensor = Tensor<T>.Zeros(shape);
        new Random(seed).NextBytes(MemoryMarshal.AsBytes(tensor.Data.AsSpan()));
        return tensor;
    }

    public static byte[] Bits<T>(T[] values)
        where T : unmanaged => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
}
