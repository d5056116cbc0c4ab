namespace BnNative.Testing;

/// <summary>
/// A result is farther from the oracle than its tolerance allows, or does not have the oracle's shape (count, channels,
/// length). Thrown by the <c>Verify</c> methods of <see cref="MomentTolerance"/> and <see cref="OutputTolerance"/>, so
/// that a property fails with the quantity, the channel or position, the expected value, the bound and the error in its
/// message, whatever test framework runs it.
/// </summary>
public sealed class OracleMismatchException : Exception
{
    /// <summary>Creates the exception with a generic message.</summary>
    public OracleMismatchException()
        : this("A result does not match the oracle.")
    {
    }

    /// <summary>Creates the exception with a message that says what differs, by how much, and what was allowed.</summary>
    public OracleMismatchException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the underlying failure.</summary>
    public OracleMismatchException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
