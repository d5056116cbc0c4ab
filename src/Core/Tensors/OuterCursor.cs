using System.Runtime.CompilerServices;
namespace BnNative.Tensors;

/// <summary>
/// Walks the outer indices of a <see cref="ChannelBlocks{T}"/> in order, keeping the buffer offset of the
/// current outer index without a division per step.
/// </summary>
public struct OuterCursor
{
    private readonly int[] _lengths;
    private readonly long[] _strides;
    private readonly int[] _index;

    internal OuterCursor(int[] lengths, long[] strides, long outer, long offset)
    {
        _lengths = lengths;
        _strides = strides;
        _index = new int[lengths.Length];
        for (int d = lengths.Length - 1; d >= 0; d--)
        {
            _index[d] = (int)(outer % lengths[d]);
            outer /= lengths[d];
        }

        Offset = offset;
    }

    /// <summary>Buffer offset of the current outer index.</summary>
    public long Offset { get; private set; }

    /// <summary>Distance between consecutive outer indices along the innermost outer axis (0 when there is none).</summary>
    public readonly long InnermostStride => _lengths.Length == 0 ? 0 : _strides[^1];

    /// <summary>Outer indices left along the innermost outer axis, the current one included (at least 1).</summary>
    public readonly int RemainingInInnermost => _lengths.Length == 0 ? 1 : _lengths[^1] - _index[^1];

    /// <summary>Advances to the next outer index.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void MoveNext() => Advance(1);

    /// <summary>
    /// Advances by <paramref name="steps"/> outer indices, at most <see cref="RemainingInInnermost"/>: callers step
    /// along the innermost outer axis with <see cref="InnermostStride"/> themselves and advance once per stretch.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Advance(int steps)
    {
        int last = _lengths.Length - 1;
        if (last < 0)
        {
            return;
        }

        Offset += steps * _strides[last];
        _index[last] += steps;
        if (_index[last] < _lengths[last])
        {
            return;
        }

        Offset -= _strides[last] * _lengths[last];
        _index[last] = 0;
        for (int d = last - 1; d >= 0; d--)
        {
            Offset += _strides[d];
            if (++_index[d] < _lengths[d])
            {
                return;
            }

            Offset -= _strides[d] * _lengths[d];
            _index[d] = 0;
        }
    }
}
