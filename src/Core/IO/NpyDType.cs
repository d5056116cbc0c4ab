namespace BnNative.IO;

/// <summary>
/// The element types <see cref="NpyFile"/> and <see cref="NpzFile"/> read and write. On disk they are the
/// NumPy descriptors <c>'&lt;f4'</c>, <c>'&lt;f8'</c> and <c>'&lt;i8'</c> (little-endian).
/// </summary>
public enum NpyDType
{
    /// <summary>32-bit IEEE 754 float, NumPy <c>float32</c> (<c>'&lt;f4'</c>).</summary>
    Float32,

    /// <summary>64-bit IEEE 754 float, NumPy <c>float64</c> (<c>'&lt;f8'</c>).</summary>
    Float64,

    /// <summary>64-bit signed integer, NumPy <c>int64</c> (<c>'&lt;i8'</c>).</summary>
    Int64,
}
