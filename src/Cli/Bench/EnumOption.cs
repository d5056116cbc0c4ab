namespace BnNative.Cli.Bench;

/// <summary>
/// Enum values as command-line words: the lower-case member name (<c>Nchw</c> is <c>nchw</c>), parsed case-insensitively.
/// </summary>
internal static class EnumOption
{
    /// <summary>The command-line word for <paramref name="value"/>.</summary>
    public static string Name<TEnum>(TEnum value)
        where TEnum : struct, Enum => value.ToString().ToLowerInvariant();

    /// <summary>Every word <typeparamref name="TEnum"/> accepts, comma-separated, in declaration order.</summary>
    public static string Choices<TEnum>()
        where TEnum : struct, Enum => string.Join(", ", Enum.GetValues<TEnum>().Select(Name));

    /// <summary>The value named <paramref name="word"/> (surrounding blanks ignored).</summary>
    /// <param name="option">The option being parsed, for the message (e.g. <c>--layout</c>).</param>
    /// <param name="word">One word of the option's value.</param>
    /// <exception cref="ArgumentException"><paramref name="word"/> names no member (numbers are not accepted).</exception>
    public static TEnum Parse<TEnum>(string option, string word)
        where TEnum : struct, Enum
    {
        string trimmed = word.Trim();
        // Enum.TryParse also takes numbers ("1") and member lists ("a, b"): accept only a single member name.
        bool isName = trimmed.Length > 0 && trimmed.All(char.IsAsciiLetter);
        return isName && Enum.TryParse<TEnum>(trimmed, ignoreCase: true, out var value)
            ? value
            : throw new ArgumentException($"{option} '{word}' is not one of {Choices<TEnum>()}.", nameof(word));
    }
}
