namespace BnNative.IO;

/// <summary>
/// Writes a file all at once or not at all: the content goes to a new temporary file in the target's directory
/// (<c>.&lt;name&gt;.&lt;32 hex digits&gt;.tmp</c>, created exclusively), is flushed to disk, and then replaces the
/// target with <see cref="File.Move(string, string, bool)"/>, a rename within one directory. On any failure the
/// temporary file is deleted and an existing target is left as it was.
/// </summary>
internal static class AtomicFile
{
    // Keeps the temporary name (prefix + name + suffix) within the 255-byte limit of common file systems.
    private const int MaxNameInTemporary = 100;

    /// <summary>Creates or replaces <paramref name="path"/> with what <paramref name="write"/> puts into the stream.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or names a directory.</exception>
    /// <exception cref="IOException">The directory does not exist, or another I/O error; nothing was replaced.</exception>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string target = Path.GetFullPath(path);
        string name = Path.GetFileName(target);
        if (name.Length == 0)
        {
            throw new ArgumentException($"path '{path}' names a directory; a file path is expected.", nameof(path));
        }

        string directory = Path.GetDirectoryName(target)!;
        if (!Directory.Exists(directory))
        {
            // Checked here so that the message names the target, not the temporary file.
            throw new DirectoryNotFoundException($"Cannot write '{path}': expected the directory '{directory}' to exist, found none.");
        }

        string temporary = Path.Combine(
            directory, $".{name[..Math.Min(name.Length, MaxNameInTemporary)]}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, target, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    private static void TryDelete(string temporary)
    {
        try
        {
            File.Delete(temporary);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The original failure matters more than a leftover temporary file.
        }
    }
}
