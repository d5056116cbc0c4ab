namespace BnNative.Native.Mpi;

/// <summary>An MPI call returned an error code; the message holds the call and MPI's own error text.</summary>
public sealed class MpiException : Exception
{
    /// <summary>Creates the exception.</summary>
    public MpiException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public MpiException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the failure that caused it.</summary>
    public MpiException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for an MPI error code.</summary>
    public MpiException(string message, int errorCode)
        : base(message)
    {
        ErrorCode = errorCode;
    }

    /// <summary>MPI's error code, 0 when unknown.</summary>
    public int ErrorCode { get; }
}
