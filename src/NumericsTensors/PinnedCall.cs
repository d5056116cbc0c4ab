using System.Numerics;
using BnNative.Sync;

namespace BnNative.NumericsTensors;

/// <summary>
/// The operands of one call, checked against each other and attached to their pinned elements for the length of a
/// <c>using</c> block: disposing detaches them all, so no view made for the call can read the spans afterwards.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
internal readonly unsafe struct PinnedCall<T> : IDisposable
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly PinnedSpanMemory<T>[] _attached;

    private PinnedCall(PinnedSpanMemory<T>[] attached) => _attached = attached;

    /// <summary>
    /// A forward pass: <paramref name="output"/> is written from <paramref name="input"/>, so their memory must be apart.
    /// A failed check fails <paramref name="sync"/> too.
    /// </summary>
    /// <exception cref="ArgumentException">The output's memory range overlaps the input's.</exception>
    public static PinnedCall<T> Forward(SpanOperand<T> input, T* inputStart, SpanOperand<T> output, T* outputStart, IStatisticsExchange? sync)
    {
        try
        {
            output.CheckApart(outputStart, input, inputStart);
            return Attach((input, (nint)inputStart), (output, (nint)outputStart));
        }
        catch (Exception ex) when (sync is not null)
        {
            // Checked before the first collective: the other workers wait there for this one, so tell them it failed.
            sync.Fail(ex);
            throw;
        }
    }

    /// <summary>
    /// A backward pass: dx (<paramref name="inputGradient"/>) is written from x and dy, so its memory must be apart from
    /// x's and apart from dy's, or be exactly dy. A failed check fails <paramref name="sync"/> too.
    /// </summary>
    /// <exception cref="ArgumentException">dx overlaps x, or overlaps dy without being it.</exception>
    /// <exception cref="InvalidOperationException">An operand is attached already (the same training step on another thread).</exception>
    public static PinnedCall<T> Backward(
        SpanOperand<T> outputGradient, T* outputGradientStart, SpanOperand<T> input, T* inputStart, SpanOperand<T> inputGradient, T* inputGradientStart,
        IStatisticsExchange? sync)
    {
        try
        {
            inputGradient.CheckApart(inputGradientStart, input, inputStart);
            inputGradient.CheckApartOrSame(inputGradientStart, outputGradient, outputGradientStart);
            return Attach((outputGradient, (nint)outputGradientStart), (input, (nint)inputStart), (inputGradient, (nint)inputGradientStart));
        }
        catch (Exception ex) when (sync is not null)
        {
            // Checked before the first collective: the other workers wait there for this one, so tell them it failed.
            sync.Fail(ex);
            throw;
        }
    }

    /// <summary>Detaches every operand.</summary>
    public void Dispose()
    {
        foreach (var memory in _attached)
        {
            memory.Detach();
        }
    }

    private static PinnedCall<T> Attach(params ReadOnlySpan<(SpanOperand<T> Operand, nint Start)> operands)
    {
        var attached = new List<PinnedSpanMemory<T>>(operands.Length);
        try
        {
            foreach (var (operand, start) in operands)
            {
                operand.Memory.Attach((T*)start);
                attached.Add(operand.Memory);
            }
        }
        catch
        {
            new PinnedCall<T>([.. attached]).Dispose();
            throw;
        }

        return new PinnedCall<T>([.. attached]);
    }
}
