using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using BnNative.Kernels;

namespace BnNative.Tests.Core;

/// <summary>
/// The lane masks of the reduction loops: <c>KeepFrom(v, f)</c> keeps lanes f and up bit for bit (NaN, −0 and all)
/// and zeroes the lanes below, at both vector widths and for float and double.
/// </summary>
public sealed class VectorWidthTests
{
    [Fact]
    public void KeepFromKeepsTheLanesFromTheFirstOnFloat()
    {
        var value = Vector512.Create(
            1f, -0f, float.NaN, float.NegativeInfinity, 5f, -6f, 7e-45f, 8f, 9f, 10f, 11f, 12f, 13f, -14f, 15f, float.MaxValue);
        for (int first = 0; first <= Vector512<float>.Count; first++)
        {
            AssertKept(Width512<float>.KeepFrom(value, first), value, first);
        }

        var narrow = Vector.LoadUnsafe(ref Unsafe.As<Vector512<float>, float>(ref value));
        for (int first = 0; first <= Vector<float>.Count; first++)
        {
            var kept = WidthVector<float>.KeepFrom(narrow, first);
            for (int lane = 0; lane < Vector<float>.Count; lane++)
            {
                float expected = lane >= first ? narrow[lane] : 0f;
                Assert.Equal(BitConverter.SingleToInt32Bits(expected), BitConverter.SingleToInt32Bits(kept[lane]));
            }
        }
    }

    [Fact]
    public void KeepFromKeepsTheLanesFromTheFirstOnDouble()
    {
        var value = Vector512.Create(-0.0, double.NaN, 3.5, double.Epsilon, -5.0, 6.0, double.PositiveInfinity, 8.0);
        for (int first = 0; first <= Vector512<double>.Count; first++)
        {
            AssertKept(Width512<double>.KeepFrom(value, first), value, first);
        }
    }

    private static void AssertKept<T>(Vector512<T> kept, Vector512<T> value, int first)
        where T : unmanaged
    {
        var keptBits = kept.AsUInt64();
        var valueBits = value.AsUInt64();
        for (int lane = 0; lane < Vector512<T>.Count; lane++)
        {
            // Compare the raw bits lane by lane at T's size.
            ulong expected = lane >= first ? LaneBits(valueBits, lane, Unsafe.SizeOf<T>()) : 0;
            Assert.Equal(expected, LaneBits(keptBits, lane, Unsafe.SizeOf<T>()));
        }
    }

    private static ulong LaneBits(Vector512<ulong> bits, int lane, int size) =>
        size == 8 ? bits[lane] : (bits[lane / 2] >> (32 * (lane % 2))) & uint.MaxValue;
}
