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

    /// <summary>Advances to the next outer index.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void MoveNext()
    {
        for (int d = _lengths.Length - 1; d >= 0; d--)
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
