using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace BnNative.Kernels;

/// <summary>
/// The vector operations the reduction operators and loops are written in, for one vector type: operators and loops
/// take the width as a type parameter (a struct, so each width gets its own compiled code with every call inlined),
/// and each access pattern picks the width that measured fastest for it (<see cref="WidthVector{T}"/>, the
/// platform's <see cref="Vector{T}"/>, or <see cref="Width512{T}"/>) without a second copy of the loop.
/// </summary>
/// <typeparam name="TVector">The vector type.</typeparam>
/// <typeparam name="T">The element type.</typeparam>
internal unsafe interface IVectorWidth<TVector, T>
    where TVector : struct
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Elements per vector.</summary>
    static abstract int Count { get; }

    /// <summary>True when this width runs in hardware here.</summary>
    static abstract bool IsHardwareAccelerated { get; }

    /// <summary>The vector at <paramref name="source"/> (unaligned).</summary>
    static abstract TVector Load(T* source);

    /// <summary>Stores <paramref name="value"/> at <paramref name="destination"/> (unaligned).</summary>
    static abstract void Store(TVector value, T* destination);

    /// <summary>
    /// Stores <paramref name="value"/> at <paramref name="destination"/>: non-temporally (a streamed store, which needs
    /// the vector's alignment) when <paramref name="streaming"/>, else ordinarily (unaligned).
    /// </summary>
    static abstract void Store(TVector value, T* destination, bool streaming);

    /// <summary>a + b.</summary>
    static abstract TVector Add(TVector a, TVector b);

    /// <summary>a − b.</summary>
    static abstract TVector Subtract(TVector a, TVector b);

    /// <summary>a·b.</summary>
    static abstract TVector Multiply(TVector a, TVector b);

    /// <summary>a·b + c, fused (one rounding).</summary>
    static abstract TVector MultiplyAdd(TVector a, TVector b, TVector c);

    /// <summary>sum[i] += (double)value[i] for every lane i (a float widened exactly), lane by lane.</summary>
    static abstract void AddWidened(TVector value, double* sum);

    /// <summary>The lanes of <paramref name="value"/> widened to double and summed (a fixed order for each width).</summary>
    static abstract double SumWidened(TVector value);

    /// <summary><paramref name="value"/> with lanes below <paramref name="firstLane"/> set to zero.</summary>
    static abstract TVector KeepFrom(TVector value, int firstLane);

    /// <summary>Every lane <paramref name="value"/>.</summary>
    static abstract TVector Broadcast(T value);

    /// <summary>Lanes below <paramref name="split"/> from <paramref name="low"/>, the rest from <paramref name="high"/>.</summary>
    static abstract TVector Blend(TVector low, TVector high, int split);
}

/// <summary><see cref="IVectorWidth{TVector, T}"/> over <see cref="Vector{T}"/> (256 bits on AVX2 and AVX-512 machines by default).</summary>
internal readonly unsafe struct WidthVector<T> : IVectorWidth<Vector<T>, T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int Count => Vector<T>.Count;

    public static bool IsHardwareAccelerated => Vector.IsHardwareAccelerated;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> Load(T* source) => Vector.Load(source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector<T> value, T* destination) => value.Store(destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector<T> value, T* destination, bool streaming) => VectorStore.Store(value, destination, streaming);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> Add(Vector<T> a, Vector<T> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> Subtract(Vector<T> a, Vector<T> b) => a - b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> Multiply(Vector<T> a, Vector<T> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> MultiplyAdd(Vector<T> a, Vector<T> b, Vector<T> c) => VectorMath.MultiplyAdd(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddWidened(Vector<T> value, double* sum)
    {
        if (typeof(T) == typeof(float))
        {
            Vector.Widen(value.As<T, float>(), out var low, out var high);
            (Vector.Load(sum) + low).Store(sum);
            (Vector.Load(sum + Vector<double>.Count) + high).Store(sum + Vector<double>.Count);
            return;
        }

        (Vector.Load(sum) + value.As<T, double>()).Store(sum);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double SumWidened(Vector<T> value)
    {
        if (typeof(T) == typeof(float))
        {
            Vector.Widen(value.As<T, float>(), out var low, out var high);
            return Vector.Sum(low + high);
        }

        return Vector.Sum(value.As<T, double>());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> KeepFrom(Vector<T> value, int firstLane) =>
        value & Vector.LoadUnsafe(ref LaneMasks.KeepFrom<T>(firstLane));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> Broadcast(T value) => new(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<T> Blend(Vector<T> low, Vector<T> high, int split) =>
        Vector.ConditionalSelect(Vector.LessThan(Vector<T>.Indices, new Vector<T>(T.CreateTruncating(split))), low, high);
}

/// <summary><see cref="IVectorWidth{TVector, T}"/> over <see cref="Vector512{T}"/> (use only where <see cref="Vector512.IsHardwareAccelerated"/>).</summary>
internal readonly unsafe struct Width512<T> : IVectorWidth<Vector512<T>, T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public static int Count => Vector512<T>.Count;

    public static bool IsHardwareAccelerated => Vector512.IsHardwareAccelerated;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Load(T* source) => Vector512.Load(source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector512<T> value, T* destination) => value.Store(destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector512<T> value, T* destination, bool streaming)
    {
        if (streaming)
        {
            Avx512F.StoreAlignedNonTemporal((float*)destination, value.AsSingle());
            return;
        }

        value.Store(destination);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Add(Vector512<T> a, Vector512<T> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Subtract(Vector512<T> a, Vector512<T> b) => a - b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Multiply(Vector512<T> a, Vector512<T> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> MultiplyAdd(Vector512<T> a, Vector512<T> b, Vector512<T> c) => VectorMath.MultiplyAdd(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddWidened(Vector512<T> value, double* sum)
    {
        if (typeof(T) == typeof(float))
        {
            var single = value.AsSingle();
            (Vector512.Load(sum) + Vector512.WidenLower(single)).Store(sum);
            (Vector512.Load(sum + Vector512<double>.Count) + Vector512.WidenUpper(single)).Store(sum + Vector512<double>.Count);
            return;
        }

        (Vector512.Load(sum) + value.AsDouble()).Store(sum);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double SumWidened(Vector512<T> value)
    {
        if (typeof(T) == typeof(float))
        {
            var single = value.AsSingle();
            return Vector512.Sum(Vector512.WidenLower(single) + Vector512.WidenUpper(single));
        }

        return Vector512.Sum(value.AsDouble());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> KeepFrom(Vector512<T> value, int firstLane) =>
        value & Vector512.LoadUnsafe(ref LaneMasks.KeepFrom<T>(firstLane));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Broadcast(T value) => Vector512.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> Blend(Vector512<T> low, Vector512<T> high, int split) =>
        Vector512.ConditionalSelect(Vector512.LessThan(Vector512<T>.Indices, Vector512.Create(T.CreateTruncating(split))), low, high);
}

/// <summary>
/// Lane masks for <see cref="IVectorWidth{TVector, T}.KeepFrom"/>: sixteen zero lanes, then sixteen all-ones lanes, so
/// that a vector of up to sixteen lanes loaded from lane 16 − f keeps lanes f and up. A load from a constant table
/// instead of an integer-to-float conversion, a broadcast and a compare: the masked last vector of each short run
/// (NCHW [256,256,14,14] has 65536 runs of 196) took a tenth of a run's time that way.
/// </summary>
internal static unsafe class LaneMasks
{
    private static ReadOnlySpan<uint> Single =>
    [
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        uint.MaxValue, uint.MaxValue, uint.MaxValue, uint.MaxValue, uint.MaxValue, uint.MaxValue, uint.MaxValue, uint.MaxValue,
        uint.MaxValue, uint.MaxValue, uint.MaxValue, uint.MaxValue, uint.MaxValue, uint.MaxValue, uint.MaxValue, uint.MaxValue,
    ];

    private static ReadOnlySpan<ulong> Double =>
    [
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        ulong.MaxValue, ulong.MaxValue, ulong.MaxValue, ulong.MaxValue, ulong.MaxValue, ulong.MaxValue, ulong.MaxValue, ulong.MaxValue,
        ulong.MaxValue, ulong.MaxValue, ulong.MaxValue, ulong.MaxValue, ulong.MaxValue, ulong.MaxValue, ulong.MaxValue, ulong.MaxValue,
    ];

    /// <summary>Where a mask keeping lanes <paramref name="firstLane"/> (0 … 16) and up starts, for T of 4 or 8 bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ref T KeepFrom<T>(int firstLane)
        where T : unmanaged
    {
        Debug.Assert((uint)firstLane <= 16, "A vector has at most sixteen lanes.");
        if (sizeof(T) == sizeof(uint))
        {
            return ref Unsafe.As<uint, T>(ref Unsafe.Add(ref MemoryMarshal.GetReference(Single), 16 - firstLane));
        }

        Debug.Assert(sizeof(T) == sizeof(ulong), "Only float and double lanes have masks.");
        return ref Unsafe.As<ulong, T>(ref Unsafe.Add(ref MemoryMarshal.GetReference(Double), 16 - firstLane));
    }
}
