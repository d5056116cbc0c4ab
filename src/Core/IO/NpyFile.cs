using System.Numerics;
using BnNative.Tensors;

namespace BnNative.IO;

/// <summary>
/// Reads and writes NumPy .npy files (format versions 1.0, 2.0 and 3.0) with float32, float64 and int64 elements.
/// </summary>
/// <remarks>
/// <para>Layout: the magic <c>\x93NUMPY</c>, a version byte pair, the header length (uint16 little-endian for 1.0,
/// uint32 for 2.0 and 3.0), a Python dict literal <c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (2, 3), }</c>
/// padded with spaces and ending in a newline, then the elements.</para>
/// <para>Reading accepts the descriptors <c>f4</c>, <c>f8</c> and <c>i8</c> with the byte-order marks <c>&lt;</c>,
/// <c>&gt;</c> (big-endian data is converted to the host order), and <c>=</c>, <c>|</c> or none (read as
/// little-endian). Fortran-order data is reordered into C order. Headers longer than 1 MiB are rejected.</para>
/// <para>Writing produces what <c>np.save</c> writes for a C-order little-endian array: version 1.0 (2.0 when the
/// header would exceed 65535 bytes), keys in sorted order, NumPy's growth padding, and the data starting at a
/// multiple of 64 bytes. Writes to a path are atomic: a temporary file <c>.&lt;name&gt;.&lt;guid&gt;.tmp</c> in
/// the same directory is written, flushed to disk and renamed over the target; on failure it is deleted and an
/// existing target is left unchanged.</para>
/// </remarks>
public static class NpyFile
{
    /// <summary>Reads the array in the .npy file at <paramref name="path"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid .npy of a supported dtype: bad magic, unsupported
    /// version, malformed header, unsupported dtype, a shape of more than <see cref="Array.MaxLength"/> elements,
    /// data shorter than the shape needs, or bytes after the data (a file holds exactly one array). The message
    /// names the file, what was expected and what was found.</exception>
    /// <exception cref="IOException">The file cannot be opened or read.</exception>
    public static NpyArray Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return ReadSingle(stream, new NpySource(path, null, ".npy"), stream.Length);
    }

    /// <summary>
    /// Reads one array from <paramref name="stream"/> at its current position and leaves the stream just after the
    /// array's data, so that arrays written back to back can be read in turn; bytes after the data are not examined.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> cannot be read.</exception>
    /// <exception cref="InvalidDataException">As for <see cref="Read(string)"/>, except trailing bytes.</exception>
    public static NpyArray Read(Stream stream)
    {
        RequireStream(stream, write: false);
        return ReadArray(stream, new NpySource(null, null, ".npy"), stream.CanSeek ? stream.Length - stream.Position : null).Array;
    }

    /// <summary>Atomically writes <paramref name="x"/> as a float32 (<c>'&lt;f4'</c>) C-order .npy file.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> or <paramref name="x"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or names a directory.</exception>
    /// <exception cref="IOException">The directory does not exist or the write fails; an existing file is left unchanged.</exception>
    public static void Write(string path, TensorView<float> x)
    {
        ArgumentNullException.ThrowIfNull(x);
        AtomicFile.Write(path, stream => WriteView(stream, NpyDType.Float32, x));
    }

    /// <summary>Atomically writes <paramref name="x"/> as a float64 (<c>'&lt;f8'</c>) C-order .npy file.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> or <paramref name="x"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or names a directory.</exception>
    /// <exception cref="IOException">The directory does not exist or the write fails; an existing file is left unchanged.</exception>
    public static void Write(string path, TensorView<double> x)
    {
        ArgumentNullException.ThrowIfNull(x);
        AtomicFile.Write(path, stream => WriteView(stream, NpyDType.Float64, x));
    }

    /// <summary>Atomically writes <paramref name="array"/> as a C-order .npy file of its dtype.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> or <paramref name="array"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or names a directory.</exception>
    /// <exception cref="IOException">The directory does not exist or the write fails; an existing file is left unchanged.</exception>
    public static void Write(string path, NpyArray array)
    {
        ArgumentNullException.ThrowIfNull(array);
        AtomicFile.Write(path, stream => WriteArray(stream, array));
    }

    /// <summary>Atomically writes <paramref name="value"/> as an int64 (<c>'&lt;i8'</c>) scalar .npy file, shape <c>()</c>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or names a directory.</exception>
    /// <exception cref="IOException">The directory does not exist or the write fails; an existing file is left unchanged.</exception>
    public static void WriteInt64Scalar(string path, long value) => Write(path, NpyArray.FromInt64Scalar(value));

    /// <summary>Writes <paramref name="x"/> as a float32 .npy at the stream's position (not atomic: a failure leaves a partial array).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> or <paramref name="x"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> cannot be written.</exception>
    public static void Write(Stream stream, TensorView<float> x)
    {
        RequireStream(stream, write: true);
        ArgumentNullException.ThrowIfNull(x);
        WriteView(stream, NpyDType.Float32, x);
    }

    /// <summary>Writes <paramref name="x"/> as a float64 .npy at the stream's position (not atomic: a failure leaves a partial array).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> or <paramref name="x"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> cannot be written.</exception>
    public static void Write(Stream stream, TensorView<double> x)
    {
        RequireStream(stream, write: true);
        ArgumentNullException.ThrowIfNull(x);
        WriteView(stream, NpyDType.Float64, x);
    }

    /// <summary>Writes <paramref name="array"/> as a .npy at the stream's position (not atomic: a failure leaves a partial array).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> or <paramref name="array"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> cannot be written.</exception>
    public static void Write(Stream stream, NpyArray array)
    {
        RequireStream(stream, write: true);
        ArgumentNullException.ThrowIfNull(array);
        WriteArray(stream, array);
    }

    /// <summary>Writes <paramref name="value"/> as an int64 scalar .npy at the stream's position.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> cannot be written.</exception>
    public static void WriteInt64Scalar(Stream stream, long value) => Write(stream, NpyArray.FromInt64Scalar(value));

    /// <summary>Reads one array that must fill the <paramref name="length"/> bytes of <paramref name="stream"/> exactly.</summary>
    internal static NpyArray ReadSingle(Stream stream, NpySource source, long length)
    {
        var (array, used) = ReadArray(stream, source, length);
        if (stream.ReadByte() >= 0)
        {
            string extra = length > used ? $"{length - used} more bytes" : "more bytes";
            throw source.Error($"expected the data to end after the array's {used} bytes (one array per .npy), found {extra}.");
        }

        return array;
    }

    /// <summary>Writes the header and elements of <paramref name="array"/>.</summary>
    internal static void WriteArray(Stream stream, NpyArray array)
    {
        stream.Write(NpyHeader.Encode(array.DType, array.Shape.AsSpan()));
        array.WriteElements(stream);
    }

    /// <summary>Validates a stream argument named <c>stream</c>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> cannot be read (or written, when <paramref name="write"/>).</exception>
    internal static void RequireStream(Stream stream, bool write)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (write ? !stream.CanWrite : !stream.CanRead)
        {
            throw new ArgumentException($"stream must be {(write ? "writable" : "readable")}, but it is not.", nameof(stream));
        }
    }

    private static (NpyArray Array, long Used) ReadArray(Stream stream, NpySource source, long? available)
    {
        var header = NpyHeader.Read(stream, source);
        if (available is { } total && total - header.Length < header.DataLength)
        {
            // Known to be short: say so before allocating what a corrupt shape might demand.
            throw source.Error(NpyArray.TruncatedData(header, Math.Max(0, total - header.Length)));
        }

        return (NpyArray.Read(stream, header, source), header.Length + header.DataLength);
    }

    private static void WriteView<T>(Stream stream, NpyDType dtype, TensorView<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        stream.Write(NpyHeader.Encode(dtype, x.Lengths));
        if (x.ElementCount == 0)
        {
            return;
        }

        // A contiguous view goes out straight from its buffer; any other layout is gathered row-major first.
        ReadOnlySpan<T> elements = x.Shape.IsRowMajorContiguous
            ? x.Memory.Span.Slice((int)x.Shape.Offset, (int)x.ElementCount)
            : x.ToArray();
        NpyElements.Write(stream, elements);
    }
}
