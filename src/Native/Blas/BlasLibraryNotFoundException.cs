namespace BnNative.Native.Blas;

/// <summary>
/// No CBLAS library could be loaded: every candidate name or path was missing, lacked a required CBLAS symbol or
/// failed the verification call. The message lists each candidate with its reason and the packages to install.
/// </summary>
public sealed class BlasLibraryNotFoundException : DllNotFoundException
{
    /// <summary>Creates the exception with a generic message and no candidates.</summary>
    public BlasLibraryNotFoundException()
        : this("No usable CBLAS library was found.")
    {
    }

    /// <summary>Creates the exception with a message and no candidates.</summary>
    /// <param name="message">What failed and what to do about it.</param>
    public BlasLibraryNotFoundException(string message)
        : this(message, [])
    {
    }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    /// <param name="message">What failed and what to do about it.</param>
    /// <param name="innerException">The underlying failure.</param>
    public BlasLibraryNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
        Candidates = [];
    }

    /// <summary>Creates the exception listing the candidates that were tried.</summary>
    /// <param name="message">What failed and what to do about it.</param>
    /// <param name="candidates">Every name or path that was tried, in order.</param>
    public BlasLibraryNotFoundException(string message, IReadOnlyList<string> candidates)
        : base(message)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        Candidates = candidates;
    }

    /// <summary>Every library name or path that was tried, in the order tried; empty when unknown.</summary>
    public IReadOnlyList<string> Candidates { get; }
}
