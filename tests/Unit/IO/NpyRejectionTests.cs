using BnNative.IO;
using BnNative.Tensors;
using BnNative.Tests.Core;

namespace BnNative.Tests.IO;

/// <summary>Every malformed .npy is refused with an <see cref="InvalidDataException"/> that names the file,
/// what was expected and what was found.</summary>
public sealed class NpyRejectionTests
{
    private const string ValidHeader = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }\n";

    [Fact]
    public void BadMagicIsRejected()
    {
        byte[] file = [0x89, (byte)'P', (byte)'N', (byte)'G', (byte)'\r', (byte)'\n', 1, 0, 0, 0];

        AssertRejected(file, "expected the magic string \\x93NUMPY", "found \\x89PNG\\x0d\\x0a");
    }

    [Fact]
    public void AnEmptyFileIsRejected() => AssertRejected([], "expected the 8-byte .npy preamble", "found 0 bytes");

    [Theory]
    [InlineData(4, 0)]
    [InlineData(1, 1)]
    [InlineData(0, 0)]
    public void AnUnsupportedVersionIsRejected(byte major, byte minor) =>
        AssertRejected(NpyBytes.Build(ValidHeader, NpyBytes.Floats(1, 2, 3, 4, 5, 6), major, minor),
            "expected format version 1.0, 2.0 or 3.0", $"found {major}.{minor}");

    [Fact]
    public void ATruncatedHeaderIsRejected()
    {
        byte[] file = NpyBytes.Build(ValidHeader, []);

        AssertRejected(file[..30], $"expected a {ValidHeader.Length}-byte header", "found 20 bytes before the end");
        AssertRejected(file[..9], "expected a 2-byte header length", "found 1 bytes");
    }

    [Fact]
    public void AnAbsurdHeaderLengthIsRejected()
    {
        byte[] file = [.. NpyBytes.Magic, 2, 0, 0xFF, 0xFF, 0xFF, 0xFF];

        AssertRejected(file, "expected a header of at most 1048576 bytes", "found a length field of 4294967295");
    }

    [Theory]
    [InlineData("{'descr': '<f4', 'fortran_order': False}", "expected the key 'shape', found none")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1}", "found 'extra'")]
    [InlineData("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}", "found 'descr' twice")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2)}", "expected the shape as a tuple, found a parenthesized integer")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': [2, 3]}", "expected '(' at offset 50, found '[2, 3]}'")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), ", "expected a quoted string at offset 56, found the end of the header")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)} x", "expected only padding after the closing brace, found 'x'")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)}\u00a0", "expected only padding after the closing brace")]
    [InlineData("{'descr': '<f4', 'fortran_order': 'yes', 'shape': (2,)}", "expected True or False at offset 34, found ''yes', 'sh'")]
    [InlineData("{'descr': '<f4", "expected a closing quote")]
    [InlineData("{'descr': '<\\f4', 'fortran_order': False, 'shape': (2,)}", "escape sequences are not supported")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3.5)}", "expected ')' at offset 55, found '.5)}'")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,)}", "expected an integer dimension that fits 64 bits")]
    [InlineData("'descr'", "expected '{' at offset 0, found ''descr''")]
    [InlineData("", "expected '{' at offset 0, found the end of the header")]
    public void AMalformedHeaderIsRejected(string header, string found) =>
        AssertRejected(NpyBytes.Build(header, NpyBytes.Floats(1, 2)), "malformed header", found, "in header \"" + header.TrimEnd());

    [Theory]
    [InlineData("(2, -1)", "found -1 at axis 1 of (2, -1)")]
    [InlineData("(3000000000,)", "found 3000000000 at axis 0 of (3000000000,)")]
    public void ADimensionOutsideIntIsRejected(string shape, string found) =>
        AssertRejected(NpyBytes.Simple("<f4", shape, []), "expected every shape dimension in [0, 2147483647]", found);

    [Fact]
    public void AShapeWithMoreElementsThanAnArrayHoldsIsRejected() =>
        AssertRejected(NpyBytes.Simple("<f4", "(2147483647, 2147483647, 2147483647)", []),
            $"expected at most {Array.MaxLength} elements", "found shape (2147483647, 2147483647, 2147483647)");

    [Theory]
    [InlineData("<f2")]
    [InlineData("<i4")]
    [InlineData("<u8")]
    [InlineData("<c8")]
    [InlineData("|O")]
    [InlineData("<U10")]
    [InlineData("")]
    public void AnUnsupportedDTypeIsRejected(string descr) =>
        AssertRejected(NpyBytes.Simple(descr, "(1,)", NpyBytes.Floats(1)),
            "expected descr '<f4' (float32), '<f8' (float64) or '<i8' (int64)", $"found '{descr}'");

    [Fact]
    public void AStructuredDTypeIsRejected() =>
        AssertRejected(NpyBytes.Build("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", NpyBytes.Floats(1)),
            "expected descr '<f4', '<f8' or '<i8'", "found a structured dtype");

    [Fact]
    public void TruncatedDataIsRejectedFromAFileAndFromAForwardOnlyStream()
    {
        byte[] file = NpyBytes.Simple("<f4", "(2, 3)", NpyBytes.Floats(1, 2, 3, 4, 5));
        const string Expected = "expected 24 data bytes for shape (2, 3) of '<f4', found 20 (the data is truncated)";

        AssertRejected(file, Expected);
        var e = Assert.Throws<InvalidDataException>(() => NpyFile.Read(NpyBytes.ForwardOnly(file)));
        Assert.StartsWith("Cannot read the .npy stream: " + Expected, e.Message);
    }

    [Fact]
    public void AHugeShapeInASmallFileIsRejectedBeforeAllocating() =>
        AssertRejected(NpyBytes.Simple("<f8", "(2000000000,)", NpyBytes.Doubles(1)),
            "expected 16000000000 data bytes for shape (2000000000,) of '<f8', found 8");

    [Fact]
    public void BytesAfterTheDataAreRejectedInAFile()
    {
        byte[] file = [.. NpyBytes.Simple("<f4", "(1,)", NpyBytes.Floats(1)), 1, 2, 3];

        AssertRejected(file, $"expected the data to end after the array's {file.Length - 3} bytes", "found 3 more bytes");
    }

    [Fact]
    public void InvalidUtf8InAVersion3HeaderIsRejected()
    {
        byte[] header = [.. "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }"u8, 0xC3, (byte)'\n'];

        AssertRejected(NpyBytes.Build(header, NpyBytes.Floats(1), major: 3), "expected a UTF-8 header", "found invalid UTF-8 bytes");
    }

    [Fact]
    public void ArgumentsAreValidated()
    {
        ParamAssert.Throws<ArgumentNullException>("path", () => NpyFile.Read((string)null!));
        ParamAssert.Throws<ArgumentException>("path", () => NpyFile.Read(""));
        ParamAssert.Throws<ArgumentNullException>("stream", () => NpyFile.Read((Stream)null!));
        ParamAssert.Throws<ArgumentException>("stream", () => NpyFile.Read(new WriteOnlyStream()));
        ParamAssert.Throws<ArgumentException>("stream", () => NpyFile.Write(new MemoryStream([], writable: false), NpyArray.FromInt64Scalar(1)));
        ParamAssert.Throws<ArgumentNullException>("x", () => NpyFile.Write(new MemoryStream(), (TensorView<float>)null!));
        ParamAssert.Throws<ArgumentNullException>("x", () => NpyFile.Write(new MemoryStream(), (TensorView<double>)null!));
        ParamAssert.Throws<ArgumentNullException>("array", () => NpyFile.Write(new MemoryStream(), (NpyArray)null!));
        ParamAssert.Throws<ArgumentNullException>("x", () => NpyFile.Write("a.npy", (TensorView<float>)null!));
        ParamAssert.Throws<ArgumentNullException>("x", () => NpyFile.Write("a.npy", (TensorView<double>)null!));
        ParamAssert.Throws<ArgumentNullException>("array", () => NpyFile.Write("a.npy", (NpyArray)null!));
        ParamAssert.Throws<ArgumentNullException>("path", () => NpyFile.WriteInt64Scalar((string)null!, 1));
        ParamAssert.Throws<ArgumentNullException>("stream", () => NpyFile.WriteInt64Scalar((Stream)null!, 1));
    }

    private static void AssertRejected(byte[] file, params string[] fragments) =>
        IoAssert.Rejected(file, "bad.npy", path => NpyFile.Read(path), path => $"Cannot read '{path}': ", fragments);

    private sealed class WriteOnlyStream : MemoryStream
    {
        public override bool CanRead => false;
    }
}
