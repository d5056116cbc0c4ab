namespace BnNative.Kernels;

/// <summary>
/// Placement against 4K aliasing: a load whose address matches a pending store's in the low 12 bits (bits a core
/// compares before the full address is known) waits for that store, though the two never overlap. Kernels that
/// stream stores past loads choose their walk direction and the place of their small buffers with these.
/// </summary>
internal static unsafe class PageAliasing
{
    /// <summary>Bytes of the address bits a load is compared against pending stores on.</summary>
    public const int PageBytes = 4096;

    /// <summary>
    /// True when <paramref name="output"/> lies less than half a page above <paramref name="input"/> in the low 12
    /// address bits. Walking both up, each load of the input would find a store to the output a few vectors back with
    /// the same low bits still pending; walking down, that store comes later (a bare [256, 256] inference loop with the
    /// output 48–56 bytes above the input ran at 1.15–1.27× a copy down against 1.35–1.5× up; [1024, 512] inference in
    /// the bench about 10% faster).
    /// </summary>
    public static bool Trails(void* input, void* output) =>
        (((((nint)output - (nint)input) % PageBytes) + PageBytes) % PageBytes) is > 0 and < PageBytes / 2;

    /// <summary>
    /// A place in <paramref name="buffer"/> (which has <see cref="PageBytes"/> + <paramref name="alignment"/> − 1 bytes of slack), on a multiple of
    /// <paramref name="alignment"/> bytes (a power of two), whose address modulo 4 KiB lies as near halfway as that
    /// allows between those of rows <paramref name="rowStrideBytes"/> apart starting at <paramref name="row"/> (the rows
    /// repeat every gcd(row stride, 4 KiB) bytes there). Loads from the place then never match pending stores to the
    /// rows, nor loads from the rows pending stores to the place, in the low 12 address bits.
    /// </summary>
    public static T* AwayFromRows<T>(T* buffer, void* row, long rowStrideBytes, int alignment)
        where T : unmanaged
    {
        int period = GcdWithPowerOfTwo((int)(rowStrideBytes % PageBytes), PageBytes);
        nint mask = period - 1;
        nint target = ((nint)row + (period / 2)) & mask;
        nint at = (nint)buffer & mask;
        nint shift = (target - at + period) & mask;
        byte* place = (byte*)buffer + shift;
        return (T*)(((nint)place + (alignment - 1)) & ~(nint)(alignment - 1));
    }

    /// <summary>gcd(<paramref name="value"/>, <paramref name="powerOfTwo"/>) for value ≥ 0: its lowest set bit, at most the power (gcd(0, p) = p).</summary>
    public static int GcdWithPowerOfTwo(int value, int powerOfTwo) => value == 0 ? powerOfTwo : Math.Min(powerOfTwo, value & -value);
}
