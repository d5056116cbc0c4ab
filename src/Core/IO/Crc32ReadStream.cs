namespace BnNative.IO;

/// <summary>
/// A read-only pass-through stream that computes the zip CRC-32 (IEEE 802.3: reflected polynomial 0xEDB88320,
/// initial value and final XOR 0xFFFFFFFF) of every byte read. <see cref="System.IO.Compression.ZipArchive"/>
/// does not verify member checksums, and NumPy (through Python's zipfile) does, so .npz members are read through
/// this stream and compared with the archive's recorded CRC.
/// </summary>
internal sealed class Crc32ReadStream(Stream inner) : Stream
{
    private static readonly uint[] Table = BuildTable();

    private uint _state = 0xFFFFFFFF;

    /// <summary>The CRC-32 of the bytes read so far.</summary>
    public uint Crc32 => ~_state;

    /// <inheritdoc />
    public override bool CanRead => true;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override bool CanWrite => false;

    /// <inheritdoc />
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc />
    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc />
    public override int Read(Span<byte> buffer)
    {
        int read = inner.Read(buffer);
        uint state = _state;
        foreach (byte b in buffer[..read])
        {
            state = Table[(byte)(state ^ b)] ^ (state >> 8);
        }

        _state = state;
        return read;
    }

    /// <inheritdoc />
    public override void Flush()
    {
    }

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < table.Length; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
