namespace BnNative.Tests.Properties;

/// <summary>
/// A tensor cut along one reduction axis into consecutive parts at <paramref name="Cuts"/> (sorted, in [0, length];
/// equal cuts or cuts at the ends give empty parts).
/// </summary>
/// <param name="Tensor">The whole tensor.</param>
/// <param name="Axis">The reduction axis that is cut (the batch axis unless the batch axis holds the channels).</param>
/// <param name="Cuts">Where the parts meet.</param>
public sealed record BatchSplit(TensorCase Tensor, int Axis, int[] Cuts)
{
    /// <summary>The parts as (start, length) along <see cref="Axis"/>, in order.</summary>
    public IEnumerable<(int Start, int Length)> Parts()
    {
        int start = 0;
        foreach (int end in Cuts.Append(Tensor.Lengths[Axis]))
        {
            yield return (start, end - start);
            start = end;
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"{Tensor}, cut axis {Axis} at [{string.Join(", ", Cuts)}]";
}
