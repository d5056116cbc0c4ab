using System.Collections.ObjectModel;
using System.IO.Compression;

namespace BnNative.IO;

/// <summary>
/// Reads and writes NumPy .npz files: zip archives whose members are .npy arrays named <c>&lt;key&gt;.npy</c>,
/// as <c>np.savez</c> (stored members) and <c>np.savez_compressed</c> (deflated members) write them. Keys may
/// contain '/', as in the tensorpack names <c>mean/EMA</c> and <c>variance/EMA</c> (member <c>mean/EMA.npy</c>).
/// </summary>
/// <remarks>
/// Members are read as by <see cref="NpyFile.Read(string)"/>, and their CRC-32 is checked as NumPy does. Writes to a path are atomic like
/// <see cref="NpyFile.Write(string, NpyArray)"/>. Written archives are deterministic: members in the given order,
/// each stamped 1980-01-01 00:00 (the earliest zip time) instead of the current time.
/// </remarks>
public static class NpzFile
{
    private const string MemberSuffix = ".npy";

    private static readonly DateTimeOffset MemberTimestamp = new(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Reads every array in the .npz file at <paramref name="path"/>, keyed by member name without <c>.npy</c>.</summary>
    /// <returns>A read-only dictionary with ordinal keys, in archive order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid zip (corrupt or truncated), a member is not
    /// named <c>*.npy</c>, two members share a key, a member is not a valid .npy (see
    /// <see cref="NpyFile.Read(string)"/>), or its compressed data or CRC-32 is wrong. The message names the file
    /// and the member.</exception>
    /// <exception cref="IOException">The file cannot be opened or read.</exception>
    public static IReadOnlyDictionary<string, NpyArray> Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        return ReadArchive(stream, new NpySource(path, null, ".npz"));
    }

    /// <summary>Reads every array in the .npz archive in <paramref name="stream"/> (a non-seekable stream is buffered in memory).</summary>
    /// <returns>A read-only dictionary with ordinal keys, in archive order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> cannot be read.</exception>
    /// <exception cref="InvalidDataException">As for <see cref="Read(string)"/>.</exception>
    public static IReadOnlyDictionary<string, NpyArray> Read(Stream stream)
    {
        NpyFile.RequireStream(stream, write: false);
        return ReadArchive(stream, new NpySource(null, null, ".npz"));
    }

    /// <summary>Atomically writes <paramref name="entries"/> as an .npz file, member <c>&lt;Key&gt;.npy</c> for each entry.</summary>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="entries">Keys and arrays, written in this order. Keys are non-empty, unique (ordinal), use '/'
    /// (not '\') between parts, and have no empty, '.' or '..' parts.</param>
    /// <param name="compress">False (the default) stores members uncompressed like <c>np.savez</c>; true deflates them
    /// like <c>np.savez_compressed</c>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> or <paramref name="entries"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or names a directory, or an entry has a
    /// null array or a key that breaks the rules above (the message gives its index).</exception>
    /// <exception cref="IOException">The directory does not exist or the write fails; an existing file is left unchanged.</exception>
    public static void Write(string path, IReadOnlyList<(string Key, NpyArray Array)> entries, bool compress = false)
    {
        ValidateEntries(entries);
        AtomicFile.Write(path, stream => WriteArchive(stream, entries, compress));
    }

    /// <summary>Writes <paramref name="entries"/> as an .npz archive at the stream's position (not atomic).</summary>
    /// <param name="stream">The destination; left open.</param>
    /// <param name="entries">As for <see cref="Write(string, IReadOnlyList{ValueTuple{string, NpyArray}}, bool)"/>.</param>
    /// <param name="compress">False (the default) stores members; true deflates them.</param>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> or <paramref name="entries"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="stream"/> cannot be written, or an entry is invalid.</exception>
    public static void Write(Stream stream, IReadOnlyList<(string Key, NpyArray Array)> entries, bool compress = false)
    {
        NpyFile.RequireStream(stream, write: true);
        ValidateEntries(entries);
        WriteArchive(stream, entries, compress);
    }

    private static ReadOnlyDictionary<string, NpyArray> ReadArchive(Stream stream, NpySource source)
    {
        ZipArchive archive;
        try
        {
            archive = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException e)
        {
            throw source.Error($"expected a zip archive of .npy members, found a corrupt or truncated zip ({e.Message})", e);
        }

        using (archive)
        {
            var arrays = new Dictionary<string, NpyArray>(StringComparer.Ordinal);
            foreach (var entry in archive.Entries)
            {
                var member = source.Member(entry.FullName);
                if (entry.FullName.EndsWith('/') && entry.Length == 0)
                {
                    continue; // a directory entry some zip tools add; it holds no array
                }

                if (!entry.FullName.EndsWith(MemberSuffix, StringComparison.Ordinal))
                {
                    throw member.Error($"expected a member name ending in '{MemberSuffix}' (an .npz holds only .npy arrays).");
                }

                string key = entry.FullName[..^MemberSuffix.Length];
                if (arrays.ContainsKey(key))
                {
                    throw member.Error($"expected each key once, found '{key}' twice.");
                }

                arrays.Add(key, ReadMember(entry, member));
            }

            return arrays.AsReadOnly();
        }
    }

    private static NpyArray ReadMember(ZipArchiveEntry entry, NpySource member)
    {
        try
        {
            using var stream = entry.Open();
            using var checksummed = new Crc32ReadStream(stream);
            var array = NpyFile.ReadSingle(checksummed, member, entry.Length);
            return checksummed.Crc32 == entry.Crc32
                ? array
                : throw member.Error($"expected CRC-32 {entry.Crc32:x8} as the archive records, found {checksummed.Crc32:x8} (the member data is corrupt).");
        }
        catch (InvalidDataException e) when (!e.Data.Contains(NpySource.DataKey))
        {
            // Thrown by the zip layer (unknown method, bad deflate data), not by the .npy reader.
            throw member.Error($"expected intact member data, found corrupt zip data ({e.Message})", e);
        }
    }

    private static void WriteArchive(Stream stream, IReadOnlyList<(string Key, NpyArray Array)> entries, bool compress)
    {
        using var archive = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
        foreach (var (key, array) in entries)
        {
            var entry = archive.CreateEntry(key + MemberSuffix, compress ? CompressionLevel.Optimal : CompressionLevel.NoCompression);
            entry.LastWriteTime = MemberTimestamp;
            using var memberStream = entry.Open();
            NpyFile.WriteArray(memberStream, array);
        }
    }

    private static void ValidateEntries(IReadOnlyList<(string Key, NpyArray Array)> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < entries.Count; i++)
        {
            var (key, array) = entries[i];
            string? problem = key is null || key.Length == 0 ? "an empty key"
                : key.Contains('\\') ? $"the key '{key}' with '\\' (use '/' between parts)"
                : key.Split('/').Any(part => part is "" or "." or "..") ? $"the key '{key}' with an empty, '.' or '..' part"
                : !keys.Add(key) ? $"the key '{key}', which an earlier entry already uses"
                : array is null ? $"a null array for the key '{key}'"
                : null;
            if (problem is not null)
            {
                throw new ArgumentException($"entries[{i}] has {problem}; expected a unique key and an array.", nameof(entries));
            }
        }
    }
}
