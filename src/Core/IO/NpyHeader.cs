using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace BnNative.IO;

/// <summary>
/// The preamble and header of a .npy file: magic <c>\x93NUMPY</c>, a version (1.0, 2.0 or 3.0), the header
/// length (uint16 little-endian for 1.0, uint32 for 2.0 and 3.0), then a Python dict literal with the keys
/// <c>descr</c>, <c>fortran_order</c> and <c>shape</c>, padded with spaces and a final newline.
/// </summary>
internal sealed class NpyHeader(NpyDType dtype, bool bigEndian, bool fortranOrder, int[] shape, long elementCount, long length)
{
    /// <summary>Longest header accepted when reading, so that a corrupt length field cannot demand gigabytes.</summary>
    public const int MaxHeaderLength = 1 << 20;

    private const int Alignment = 64;

    // NumPy pads the header so that the leading axis can grow in place to any 64-bit count
    // (numpy.lib.format.GROWTH_AXIS_MAX_DIGITS); we do the same to write byte-identical files.
    private const int GrowthAxisMaxDigits = 21;

    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>The element type.</summary>
    public NpyDType DType { get; } = dtype;

    /// <summary>True when the elements are stored big-endian (<c>'&gt;f4'</c> and the like).</summary>
    public bool BigEndian { get; } = bigEndian;

    /// <summary>True when the data is stored column-major (first axis fastest).</summary>
    public bool FortranOrder { get; } = fortranOrder;

    /// <summary>Axis lengths, each in [0, int.MaxValue].</summary>
    public int[] Shape { get; } = shape;

    /// <summary>Product of <see cref="Shape"/>, at most <see cref="Array.MaxLength"/>.</summary>
    public long ElementCount { get; } = elementCount;

    /// <summary>Bytes from the start of the magic to the first data byte.</summary>
    public long Length { get; } = length;

    /// <summary>Number of data bytes the shape and dtype need.</summary>
    public long DataLength => ElementCount * ItemSize(DType);

    /// <summary>Bytes per element.</summary>
    public static int ItemSize(NpyDType dtype) => dtype == NpyDType.Float32 ? 4 : 8;

    /// <summary>The little-endian NumPy descriptor: <c>&lt;f4</c>, <c>&lt;f8</c> or <c>&lt;i8</c>.</summary>
    public static string Descr(NpyDType dtype) => dtype switch
    {
        NpyDType.Float32 => "<f4",
        NpyDType.Float64 => "<f8",
        NpyDType.Int64 => "<i8",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown NpyDType."),
    };

    /// <summary>The Python repr of a shape tuple: <c>()</c>, <c>(5,)</c>, <c>(2, 3)</c>.</summary>
    public static string ShapeText(ReadOnlySpan<int> shape)
    {
        var dimensions = new long[shape.Length];
        for (int axis = 0; axis < shape.Length; axis++)
        {
            dimensions[axis] = shape[axis];
        }

        return ShapeText(dimensions);
    }

    /// <summary>The Python repr of a shape tuple as parsed, before its dimensions are checked.</summary>
    public static string ShapeText(long[] shape) =>
        shape.Length == 1
            ? $"({shape[0].ToString(CultureInfo.InvariantCulture)},)"
            : "(" + string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + ")";

    /// <summary>
    /// The bytes NumPy's <c>np.save</c> writes before the data of a C-order array: version 1.0 (2.0 when the
    /// header exceeds 65535 bytes), the dict with sorted keys, growth padding, then spaces and a newline so that
    /// the data starts at a multiple of 64 bytes.
    /// </summary>
    public static byte[] Encode(NpyDType dtype, ReadOnlySpan<int> shape)
    {
        var dict = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"{{'descr': '{Descr(dtype)}', 'fortran_order': False, 'shape': {ShapeText(shape)}, }}");
        if (shape.Length > 0)
        {
            dict.Append(' ', Math.Max(0, GrowthAxisMaxDigits - shape[0].ToString(CultureInfo.InvariantCulture).Length));
        }

        byte[] text = Encoding.ASCII.GetBytes(dict.ToString());
        int lengthFieldSize = 2;
        int padded = PaddedLength(text.Length, Magic.Length + 2 + lengthFieldSize);
        if (padded > ushort.MaxValue)
        {
            lengthFieldSize = 4;
            padded = PaddedLength(text.Length, Magic.Length + 2 + lengthFieldSize);
        }

        int prefix = Magic.Length + 2 + lengthFieldSize;
        var result = new byte[prefix + padded];
        Magic.CopyTo(result);
        result[Magic.Length] = (byte)(lengthFieldSize == 2 ? 1 : 2);
        if (lengthFieldSize == 2)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(result.AsSpan(Magic.Length + 2), (ushort)padded);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(result.AsSpan(Magic.Length + 2), (uint)padded);
        }

        text.CopyTo(result, prefix);
        result.AsSpan(prefix + text.Length).Fill((byte)' ');
        result[^1] = (byte)'\n';
        return result;
    }

    /// <summary>Reads and validates the preamble and header, leaving <paramref name="stream"/> at the first data byte.</summary>
    /// <exception cref="InvalidDataException">Bad magic, unsupported version, truncated or malformed header,
    /// unsupported dtype, or a shape that does not fit one array.</exception>
    public static NpyHeader Read(Stream stream, NpySource source)
    {
        Span<byte> preamble = stackalloc byte[Magic.Length + 2];
        int found = stream.ReadAtLeast(preamble, preamble.Length, throwOnEndOfStream: false);
        if (found < preamble.Length)
        {
            throw source.Error(
                $"expected the {preamble.Length}-byte .npy preamble (magic \\x93NUMPY and a version), found {found} bytes.");
        }

        if (!preamble[..Magic.Length].SequenceEqual(Magic))
        {
            throw source.Error($"expected the magic string \\x93NUMPY, found {Printable(preamble[..Magic.Length])}.");
        }

        int major = preamble[Magic.Length];
        int minor = preamble[Magic.Length + 1];
        if (major is < 1 or > 3 || minor != 0)
        {
            throw source.Error($"expected format version 1.0, 2.0 or 3.0, found {major}.{minor}.");
        }

        Span<byte> lengthField = stackalloc byte[major == 1 ? 2 : 4];
        found = stream.ReadAtLeast(lengthField, lengthField.Length, throwOnEndOfStream: false);
        if (found < lengthField.Length)
        {
            throw source.Error($"expected a {lengthField.Length}-byte header length, found {found} bytes.");
        }

        uint headerLength = major == 1
            ? BinaryPrimitives.ReadUInt16LittleEndian(lengthField)
            : BinaryPrimitives.ReadUInt32LittleEndian(lengthField);
        if (headerLength > MaxHeaderLength)
        {
            throw source.Error($"expected a header of at most {MaxHeaderLength} bytes, found a length field of {headerLength}.");
        }

        var headerBytes = new byte[headerLength];
        found = stream.ReadAtLeast(headerBytes, headerBytes.Length, throwOnEndOfStream: false);
        if (found < headerBytes.Length)
        {
            throw source.Error($"expected a {headerLength}-byte header, found {found} bytes before the end.");
        }

        string text = Decode(headerBytes, major, source);
        var (descr, fortranOrder, shape) = NpyHeaderParser.Parse(text, source);
        var (dtype, bigEndian) = ParseDescr(descr, source);
        var lengths = ValidateShape(shape, source);
        long count = ElementCountOf(lengths, source);
        return new NpyHeader(dtype, bigEndian, fortranOrder, lengths, count, preamble.Length + lengthField.Length + headerLength);
    }

    private static int PaddedLength(int textLength, int prefixLength)
    {
        // NumPy's _wrap_header: pad = 64 − ((prefix + text + 1) mod 64), a full 64 when already aligned.
        int withNewline = textLength + 1;
        return withNewline + Alignment - ((prefixLength + withNewline) % Alignment);
    }

    private static string Decode(byte[] headerBytes, int major, NpySource source)
    {
        if (major < 3)
        {
            return Encoding.Latin1.GetString(headerBytes);
        }

        try
        {
            return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(headerBytes);
        }
        catch (DecoderFallbackException e)
        {
            throw source.Error("expected a UTF-8 header (format version 3.0), found invalid UTF-8 bytes.", e);
        }
    }

    private static (NpyDType DType, bool BigEndian) ParseDescr(string descr, NpySource source)
    {
        // '=' (native) and '|' (not applicable) never come from NumPy for these types, which it always
        // normalizes to '<' or '>'; like a missing marker they are read as little-endian, the order of every
        // platform .NET and NumPy ship for.
        bool bigEndian = descr.StartsWith('>');
        string code = descr.Length > 0 && descr[0] is '<' or '>' or '=' or '|' ? descr[1..] : descr;
        NpyDType? dtype = code switch
        {
            "f4" => NpyDType.Float32,
            "f8" => NpyDType.Float64,
            "i8" => NpyDType.Int64,
            _ => null,
        };
        return dtype is { } known
            ? (known, bigEndian)
            : throw source.Error(
                $"expected descr '<f4' (float32), '<f8' (float64) or '<i8' (int64), any byte order, found '{descr}'.");
    }

    private static int[] ValidateShape(long[] shape, NpySource source)
    {
        var lengths = new int[shape.Length];
        for (int axis = 0; axis < shape.Length; axis++)
        {
            if (shape[axis] is < 0 or > int.MaxValue)
            {
                throw source.Error(
                    $"expected every shape dimension in [0, {int.MaxValue}], found {shape[axis]} at axis {axis} of {ShapeText(shape)}.");
            }

            lengths[axis] = (int)shape[axis];
        }

        return lengths;
    }

    private static long ElementCountOf(int[] lengths, NpySource source)
    {
        long count = 1;
        foreach (int length in lengths)
        {
            // Stays exact: count ≤ Array.MaxLength after each step unless a later length is 0, and both
            // factors are below 2^31, so the product never overflows a long.
            count = Math.Min(count, (long)Array.MaxLength + 1) * length;
        }

        if (count > Array.MaxLength)
        {
            throw source.Error(
                $"expected at most {Array.MaxLength} elements (one .NET array), found shape {ShapeText(lengths)} with more.");
        }

        return count;
    }

    private static string Printable(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder();
        foreach (byte b in bytes)
        {
            text.Append(b is >= 0x20 and < 0x7F and not (byte)'\\' ? ((char)b).ToString() : $"\\x{b:x2}");
        }

        return text.ToString();
    }
}
