namespace BnNative.Cli.Bench;

/// <summary>
/// The copy pass of the train and inference floors (<c>--floor-copy</c>). Outputs of
/// <see cref="MemoryPasses.StreamingBytes"/> or more stream with non-temporal stores either way, and the backward
/// floor's two-input copy is a vector loop either way; only copies that fit in cache differ.
/// </summary>
internal enum FloorCopy
{
    /// <summary>
    /// The fastest copy the platform has (the default, PERF-NOTES' "best copy pass"): <c>Span.CopyTo</c>, which hands
    /// large copies to the C library's memmove. With glibc on this kind of machine that is <c>rep movsb</c> for copies of up
    /// to about the L2 size per thread, which writes whole cache lines without reading them first; no loop of vector
    /// stores can do that, so a kernel that writes with vector stores reads 1.2–1.4× this floor there ([256, 256]:
    /// 256 KB) whatever its arithmetic. Larger copies are memmove's own vector loop.
    /// </summary>
    Best,

    /// <summary>
    /// A loop of 512-bit (or <see cref="System.Numerics.Vector{T}"/>) loads and ordinary stores: the fastest a kernel
    /// that writes with vector stores can copy, so a ratio against it shows what the kernel's arithmetic and walk cost,
    /// apart from how the platform's copy writes lines.
    /// </summary>
    Vector,
}
