namespace BnNative.Kernels;

/// <summary>A kind of store chosen at compile time, so a loop carries no branch on it.</summary>
internal interface IStoreKind
{
    /// <summary>True for non-temporal stores.</summary>
    static abstract bool Streaming { get; }
}

/// <summary>Ordinary stores (the output stays in cache).</summary>
internal readonly struct CachedStores : IStoreKind
{
    /// <inheritdoc/>
    public static bool Streaming => false;
}

/// <summary>Non-temporal stores (the output streams to memory).</summary>
internal readonly struct StreamedStores : IStoreKind
{
    /// <inheritdoc/>
    public static bool Streaming => true;
}
