using System.Runtime.CompilerServices;

namespace BnNative.Kernels;

/// <summary>
/// Walks the outer indices of a <see cref="ChannelLayout"/> in order, keeping the buffer offset of the current outer
/// index in every view without a division per step. Callers step along the innermost outer axis themselves
/// (<see cref="InnermostStride"/>) and advance once per stretch.
/// </summary>
internal struct OuterCursor
{
    private readonly ChannelLayout _layout;
    private Indices _index;
    private Offsets _offsets;

    /// <summary>A cursor at outer index <paramref name="outer"/> of <paramref name="layout"/>.</summary>
    public OuterCursor(in ChannelLayout layout, long outer)
    {
        _layout = layout;
        for (int v = 0; v < layout.Views; v++)
        {
            _offsets[v] = layout.OuterOffset(v, outer);
        }

        for (int d = layout.OuterRank - 1; d > 0; d--)
        {
            _index[d] = (int)(outer % layout.OuterLength(d));
            outer /= layout.OuterLength(d);
        }

        if (layout.OuterRank > 0)
        {
            _index[0] = (int)outer;
        }
    }

    /// <summary>Buffer offset of the current outer index in view <paramref name="view"/>.</summary>
    public readonly long Offset(int view) => _offsets[view];

    /// <summary>Distance between consecutive outer indices along the innermost outer axis in view <paramref name="view"/> (0 when there is none).</summary>
    public readonly long InnermostStride(int view) => _layout.OuterRank == 0 ? 0 : _layout.OuterStride(view, _layout.OuterRank - 1);

    /// <summary>Outer indices left along the innermost outer axis, the current one included (at least 1).</summary>
    public readonly int RemainingInInnermost =>
        _layout.OuterRank == 0 ? 1 : _layout.OuterLength(_layout.OuterRank - 1) - _index[_layout.OuterRank - 1];

    /// <summary>Advances by <paramref name="steps"/> outer indices, at most <see cref="RemainingInInnermost"/>.</summary>
    public void Advance(int steps)
    {
        int last = _layout.OuterRank - 1;
        if (last < 0)
        {
            return;
        }

        int views = _layout.Views;
        for (int v = 0; v < views; v++)
        {
            _offsets[v] += steps * _layout.OuterStride(v, last);
        }

        _index[last] += steps;
        if (_index[last] < _layout.OuterLength(last))
        {
            return;
        }

        for (int d = last; d >= 0; d--)
        {
            int length = _layout.OuterLength(d);
            if (d < last)
            {
                for (int v = 0; v < views; v++)
                {
                    _offsets[v] += _layout.OuterStride(v, d);
                }

                if (++_index[d] < length)
                {
                    return;
                }
            }

            for (int v = 0; v < views; v++)
            {
                _offsets[v] -= _layout.OuterStride(v, d) * length;
            }

            _index[d] = 0;
        }
    }

    [InlineArray(ChannelLayout.MaxOuterRank)]
    private struct Indices
    {
        private int _element;
    }

    [InlineArray(ChannelLayout.MaxViews)]
    private struct Offsets
    {
        private long _element;
    }
}
