using System.Numerics;
using BnNative.Tensors;

namespace BnNative.Native.Blas;

/// <summary>
/// The elements a rank-2 view occupies as CBLAS addresses it through its <see cref="CblasMatrixLayout"/>: <see cref="Lines"/>
/// runs of <see cref="Run"/> consecutive elements, <see cref="Pitch"/> elements apart, the first at <see cref="Start"/>
/// (an element index into some base buffer). Used to refuse an output that shares elements with an input: BLAS would
/// overwrite the input while still reading it.
/// </summary>
internal readonly record struct MatrixFootprint(long Start, long Lines, long Run, long Pitch)
{
    /// <summary>The footprint of <paramref name="view"/> with <paramref name="layout"/>, its start shifted by <paramref name="origin"/>.</summary>
    public static MatrixFootprint Of<T>(TensorView<T> view, CblasMatrixLayout layout, long origin)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (lines, run) = layout.Transposed ? (view.Lengths[1], view.Lengths[0]) : (view.Lengths[0], view.Lengths[1]);
        return new MatrixFootprint(origin + view.Shape.Offset, lines, run, layout.LeadingDimension);
    }

    /// <summary>
    /// Whether views <paramref name="x"/> and <paramref name="y"/> (with their layouts) share at least one element: false
    /// for views of different buffers, and for views of one buffer that interleave without touching (for example the
    /// even and the odd columns of a matrix).
    /// </summary>
    public static bool Share<T>(TensorView<T> x, CblasMatrixLayout xLayout, TensorView<T> y, CblasMatrixLayout yLayout)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Overlaps gives where y's buffer starts inside x's when the two buffers share memory (views of one array, slices of it).
        if (x.ElementCount == 0 || y.ElementCount == 0 || !((ReadOnlySpan<T>)x.Memory.Span).Overlaps(y.Memory.Span, out int shift))
        {
            return false;
        }

        var first = Of(x, xLayout, 0);
        var second = Of(y, yLayout, shift);
        return first.Lines <= second.Lines ? first.Meets(second) : second.Meets(first);
    }

    /// <summary>Whether a line of this footprint shares an element with a line of <paramref name="other"/>: one pass over this one's lines.</summary>
    private bool Meets(MatrixFootprint other)
    {
        long end = Start + ((Lines - 1) * Pitch) + Run;
        long otherEnd = other.Start + ((other.Lines - 1) * other.Pitch) + other.Run;
        if (end <= other.Start || otherEnd <= Start)
        {
            return false;
        }

        for (long line = 0; line < Lines; line++)
        {
            long start = Start + (line * Pitch);
            if (other.Hits(start, start + Run))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether a line of this footprint shares an element with the elements [<paramref name="from"/>, <paramref name="to"/>).</summary>
    private bool Hits(long from, long to)
    {
        // Line t covers [Start + t·Pitch, Start + t·Pitch + Run): it meets [from, to) when Start + t·Pitch lies in (from − Run, to).
        long first = Math.Max(0, FloorDivide(from - Run - Start, Pitch) + 1);
        long last = Math.Min(Lines - 1, FloorDivide(to - 1 - Start, Pitch));
        return first <= last;
    }

    private static long FloorDivide(long numerator, long denominator)
    {
        long quotient = Math.DivRem(numerator, denominator, out long remainder);
        return remainder < 0 ? quotient - 1 : quotient;
    }
}
