using System.Buffers;

namespace BnNative.NumericsTensors;

/// <summary>
/// A <see cref="MemoryManager{T}"/> over elements that someone else pinned, valid only while attached: a tensor span is
/// pinned by a <c>fixed</c> statement for the length of one call, so the memory is attached for that call and detached
/// when it ends. Detached, every access throws <see cref="ObjectDisposedException"/>, so a view that outlives the pin
/// fails loudly instead of reading memory the garbage collector may have moved.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
internal sealed unsafe class PinnedSpanMemory<T> : MemoryManager<T>
    where T : unmanaged
{
    private readonly int _length;
    // The attached elements' address, 0 while detached; read once per access, so an access that races a detach either
    // sees the address (the caller's pin is still in place for that call) or throws, never a null-based span.
    private nint _address;
    private int _attached;

    /// <summary>Creates detached memory of <paramref name="length"/> elements.</summary>
    public PinnedSpanMemory(int length) => _length = length;

    /// <summary>The whole memory, created without touching the elements (so even while detached).</summary>
    public Memory<T> Whole => CreateMemory(_length);

    /// <summary>
    /// Points the memory at <paramref name="pointer"/>, which the caller keeps pinned until <see cref="Detach"/>. One
    /// attachment at a time: the retained views of a training step serve one backward pass at a time.
    /// </summary>
    /// <exception cref="InvalidOperationException">The memory is attached already (another call is using it).</exception>
    public void Attach(T* pointer)
    {
        if (Interlocked.CompareExchange(ref _attached, 1, 0) != 0)
        {
            throw new InvalidOperationException(
                "These pinned elements are in use by another call (a backward pass of the same training step runs on another thread); run one at a time.");
        }

        Volatile.Write(ref _address, (nint)pointer);
    }

    /// <inheritdoc />
    public override Span<T> GetSpan()
    {
        return new Span<T>(Address(), _length);
    }

    /// <inheritdoc />
    public override MemoryHandle Pin(int elementIndex = 0)
    {
        T* pointer = Address();
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)elementIndex, (uint)_length, nameof(elementIndex));
        return new MemoryHandle(pointer + elementIndex);
    }

    /// <inheritdoc />
    public override void Unpin()
    {
        // The elements stay pinned by whoever attached them; nothing to release here.
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing) => Detach();

    /// <summary>Ends the attachment: from now on every access throws until the memory is attached again.</summary>
    public void Detach()
    {
        Volatile.Write(ref _address, 0);
        Volatile.Write(ref _attached, 0);
    }

    /// <summary>The attached elements' address.</summary>
    /// <exception cref="ObjectDisposedException">The memory is detached.</exception>
    private T* Address()
    {
        nint address = Volatile.Read(ref _address);

        // An empty span pins to a null address: attached, it is an empty span, not a detached one.
        if (address == 0 && (_length != 0 || Volatile.Read(ref _attached) == 0))
        {
            throw new ObjectDisposedException(
                nameof(PinnedSpanMemory<T>),
                "This view's elements were pinned only for the call that made it (a tensor span, or a PinnedTensorView since disposed); "
                + "the view must not be used after that call returns.");
        }

        return (T*)address;
    }
}
