using System.Globalization;

namespace BnNative.IO;

/// <summary>
/// Parses the subset of Python literal syntax a .npy header uses:
/// <c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (2, 3), }</c> followed only by whitespace.
/// Keys and strings take single or double quotes; integers may carry Python 2's <c>L</c> suffix; a one-element
/// shape needs its trailing comma (<c>(5,)</c>), as in Python. Exactly the three keys must be present.
/// </summary>
internal sealed class NpyHeaderParser
{
    private const int MaxQuotedText = 200;

    private readonly string _text;
    private readonly NpySource _source;
    private int _position;

    private NpyHeaderParser(string text, NpySource source)
    {
        _text = text;
        _source = source;
    }

    /// <summary>The three values of the header dict.</summary>
    /// <exception cref="InvalidDataException">The text is not such a dict.</exception>
    public static (string Descr, bool FortranOrder, long[] Shape) Parse(string text, NpySource source) =>
        new NpyHeaderParser(text, source).ParseDictionary();

    private (string Descr, bool FortranOrder, long[] Shape) ParseDictionary()
    {
        string? descr = null;
        bool? fortranOrder = null;
        long[]? shape = null;
        SkipWhitespace();
        Expect('{');
        while (true)
        {
            SkipWhitespace();
            if (Peek() == '}')
            {
                break;
            }

            string key = ParseString();
            SkipWhitespace();
            Expect(':');
            SkipWhitespace();
            switch (key)
            {
                case "descr" when descr is null:
                    descr = ParseDescr();
                    break;
                case "fortran_order" when fortranOrder is null:
                    fortranOrder = ParseBool();
                    break;
                case "shape" when shape is null:
                    shape = ParseShape();
                    break;
                case "descr" or "fortran_order" or "shape":
                    throw Malformed($"expected each key once, found '{key}' twice");
                default:
                    throw Malformed($"expected only the keys 'descr', 'fortran_order' and 'shape', found '{key}'");
            }

            SkipWhitespace();
            if (Peek() != ',')
            {
                break;
            }

            _position++;
        }

        SkipWhitespace();
        Expect('}');
        SkipWhitespace();
        if (_position < _text.Length)
        {
            throw Malformed($"expected only padding after the closing brace, found '{Excerpt(_position)}'");
        }

        return (descr ?? throw Missing("descr"), fortranOrder ?? throw Missing("fortran_order"), shape ?? throw Missing("shape"));
    }

    private string ParseDescr() =>
        Peek() == '['
            ? throw _source.Error(
                $"expected descr '<f4', '<f8' or '<i8', found a structured dtype (a list of fields) in header {Quoted()}.")
            : ParseString();

    private string ParseString()
    {
        char quote = Peek();
        if (quote is not ('\'' or '"'))
        {
            throw Expected("a quoted string");
        }

        int end = _text.IndexOf(quote, _position + 1);
        int escape = _text.IndexOf('\\', _position + 1);
        if (end < 0 || (escape >= 0 && escape < end))
        {
            throw Expected("a closing quote (escape sequences are not supported)");
        }

        string value = _text[(_position + 1)..end];
        _position = end + 1;
        return value;
    }

    private bool ParseBool()
    {
        foreach (var (word, value) in new[] { ("True", true), ("False", false) })
        {
            if (string.CompareOrdinal(_text, _position, word, 0, word.Length) == 0)
            {
                _position += word.Length;
                return value;
            }
        }

        throw Expected("True or False");
    }

    private long[] ParseShape()
    {
        Expect('(');
        var dimensions = new List<long>();
        bool trailingComma = false;
        while (true)
        {
            SkipWhitespace();
            if (Peek() == ')')
            {
                break;
            }

            dimensions.Add(ParseInteger());
            SkipWhitespace();
            trailingComma = Peek() == ',';
            if (!trailingComma)
            {
                break;
            }

            _position++;
        }

        SkipWhitespace();
        Expect(')');
        if (dimensions.Count == 1 && !trailingComma)
        {
            throw Malformed("expected the shape as a tuple, found a parenthesized integer (a one-element tuple needs a trailing comma)");
        }

        return [.. dimensions];
    }

    private long ParseInteger()
    {
        int start = _position;
        if (Peek() == '-')
        {
            _position++;
        }

        while (_position < _text.Length && char.IsAsciiDigit(_text[_position]))
        {
            _position++;
        }

        if (!long.TryParse(_text.AsSpan(start, _position - start), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
        {
            _position = start;
            throw Expected("an integer dimension that fits 64 bits");
        }

        if (Peek() is 'L' or 'l')
        {
            _position++;
        }

        return value;
    }

    private void SkipWhitespace()
    {
        // Python's own whitespace between tokens; not Unicode spaces such as U+00A0, which Python rejects.
        while (_position < _text.Length && _text[_position] is ' ' or '\t' or '\n' or '\r' or '\f')
        {
            _position++;
        }
    }

    private char Peek() => _position < _text.Length ? _text[_position] : '\0';

    private void Expect(char c)
    {
        if (Peek() != c)
        {
            throw Expected($"'{c}'");
        }

        _position++;
    }

    private InvalidDataException Expected(string what) =>
        Malformed(_position < _text.Length
            ? $"expected {what} at offset {_position}, found '{Excerpt(_position)}'"
            : $"expected {what} at offset {_position}, found the end of the header");

    private InvalidDataException Missing(string key) => Malformed($"expected the key '{key}', found none");

    private InvalidDataException Malformed(string detail) => _source.Error($"malformed header: {detail}, in header {Quoted()}.");

    private string Excerpt(int start) => _text.Substring(start, Math.Min(10, _text.Length - start));

    private string Quoted()
    {
        string trimmed = _text.TrimEnd();
        return trimmed.Length <= MaxQuotedText ? $"\"{trimmed}\"" : $"\"{trimmed[..MaxQuotedText]}…\"";
    }
}
