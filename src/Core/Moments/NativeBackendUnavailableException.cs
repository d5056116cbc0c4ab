namespace BnNative.Moments;

/// <summary>
/// A native backend was asked for explicitly but cannot be used: the BnNative.Native assembly is missing, or the
/// native library does not load. The message lists what was tried and what to install.
/// </summary>
public sealed class NativeBackendUnavailableException : InvalidOperationException
{
    /// <summary>Creates the exception with a message.</summary>
    public NativeBackendUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the underlying failure.</summary>
    public NativeBackendUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public NativeBackendUnavailableException()
        : base("A native backend is not available.")
    {
    }
}
