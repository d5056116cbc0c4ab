namespace BnNative.Sync;

/// <summary>The exchange of a single worker: gathering returns the worker's own contribution. Synchronized batch norm over it is plain batch norm.</summary>
public sealed class SingleWorkerExchange : IStatisticsExchange
{
    /// <summary>The one instance.</summary>
    public static SingleWorkerExchange Instance { get; } = new();

    private SingleWorkerExchange()
    {
    }

    /// <inheritdoc />
    public int Rank => 0;

    /// <inheritdoc />
    public int Size => 1;

    /// <inheritdoc />
    public void AllGather(ReadOnlySpan<double> local, Span<double> gathered)
    {
        if (gathered.Length != local.Length)
        {
            throw new ArgumentException($"gathered has {gathered.Length} entries but 1 × {local.Length} are needed.", nameof(gathered));
        }

        local.CopyTo(gathered);
    }

    /// <inheritdoc />
    public void Fail(Exception reason) => ArgumentNullException.ThrowIfNull(reason);
}
