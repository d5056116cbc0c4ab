namespace BnNative.IO;

/// <summary>Where bytes being read come from, for error messages: a file, a member of an .npz, or an unnamed stream.</summary>
/// <param name="FileName">The path as the caller gave it, or null for a stream.</param>
/// <param name="MemberName">The .npz member name (with its <c>.npy</c> suffix), or null.</param>
/// <param name="Format"><c>.npy</c> or <c>.npz</c>: what an unnamed stream was expected to hold.</param>
internal readonly record struct NpySource(string? FileName, string? MemberName, string Format)
{
    /// <summary>The <see cref="Exception.Data"/> key under which <see cref="Error"/> records <see cref="Name"/>.</summary>
    public const string DataKey = "BnNative.IO.Source";

    /// <summary>The same file, narrowed to one archive member.</summary>
    public NpySource Member(string memberName) => this with { MemberName = memberName };

    /// <summary>An exception naming this source, then <paramref name="detail"/> (what was expected, what was found).</summary>
    /// <remarks><see cref="InvalidDataException"/> is sealed, so file and member are in the message only; the
    /// exception's <see cref="Exception.Data"/> holds <see cref="DataKey"/> to tell it apart from zip-layer errors.</remarks>
    public InvalidDataException Error(string detail, Exception? innerException = null)
    {
        var exception = new InvalidDataException($"{Describe()}: {detail}", innerException);
        exception.Data[DataKey] = Name();
        return exception;
    }

    /// <summary>"Cannot read member 'gamma.npy' of 'ckpt.npz'" and the like.</summary>
    public string Describe() => "Cannot read " + Name();

    /// <summary>"member 'gamma.npy' of 'ckpt.npz'", "'x.npy'" or "the .npy stream".</summary>
    public string Name() => (FileName, MemberName) switch
    {
        (null, null) => $"the {Format} stream",
        (null, _) => $"member '{MemberName}' of the {Format} stream",
        (_, null) => $"'{FileName}'",
        _ => $"member '{MemberName}' of '{FileName}'",
    };
}
