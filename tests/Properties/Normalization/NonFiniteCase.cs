using System.Globalization;
using FsCheck;
using FsCheck.Fluent;

namespace BnNative.Tests.Properties.Normalization;

/// <summary>How a channel is poisoned.</summary>
public enum Poison
{
    /// <summary>One element NaN.</summary>
    NaN,

    /// <summary>One element +∞.</summary>
    PositiveInfinity,

    /// <summary>One element −∞.</summary>
    NegativeInfinity,

    /// <summary>
    /// Every element ±v (alternating within the channel), v log-uniform in [1e20, 3e38] for float (the variance, ≥ 1e40
    /// in double, overflows float32) or [1e160, 1e300] for double (the variance overflows double to +∞).
    /// </summary>
    Overflow,
}

/// <summary>A generated step whose input has some channels poisoned, and the same step on the clean input.</summary>
/// <param name="Clean">The step before poisoning: its other channels hold exactly the values of <see cref="Poisoned"/>.</param>
/// <param name="Poisoned">The step with the poisoned input.</param>
/// <param name="Channels">The poisoned channels, ascending, each with its <see cref="Poison"/> in <paramref name="Kinds"/>.</param>
/// <param name="Kinds">How each channel of <paramref name="Channels"/> is poisoned.</param>
public sealed record NonFiniteCase(NormalizationCase Clean, NormalizationCase Poisoned, int[] Channels, Poison[] Kinds)
{
    /// <summary>Poisons a random non-empty subset of the channels of each case <paramref name="cases"/> draws.</summary>
    public static Gen<NonFiniteCase> From(Gen<NormalizationCase> cases) =>
        from step in cases
        from seed in Gen.Choose(0, int.MaxValue)
        select Poison(step, new Random(seed));

    /// <summary>Whether <paramref name="channel"/> is poisoned.</summary>
    public bool IsPoisoned(int channel) => Array.BinarySearch(Channels, channel) >= 0;

    /// <inheritdoc />
    public override string ToString() =>
        $"{Clean}; poisoned: {string.Join(", ", Channels.Select((c, k) => string.Create(CultureInfo.InvariantCulture, $"{c} {Kinds[k]}")))}";

    private static NonFiniteCase Poison(NormalizationCase step, Random random)
    {
        int channelCount = step.Channels;
        var channels = Enumerable.Range(0, channelCount).OrderBy(_ => random.Next()).Take(random.Next(1, channelCount + 1)).Order().ToArray();
        var kinds = channels.Select(_ => (Poison)random.Next(4)).ToArray();
        var values = (double[])step.Tensor.Values.Clone();
        var index = step.Index;
        bool single = step.Tensor.Type == ElementType.Single;
        for (int k = 0; k < channels.Length; k++)
        {
            var positions = Enumerable.Range(0, values.Length).Where(i => index.At(i) == channels[k]).ToArray();
            if (kinds[k] == Normalization.Poison.Overflow)
            {
                double scale = Math.Exp(ValueDraws.Uniform(random, Math.Log(single ? 1e20 : 1e160), Math.Log(single ? 3e38 : 1e300)));
                for (int j = 0; j < positions.Length; j++)
                {
                    values[positions[j]] = single ? (float)(j % 2 == 0 ? scale : -scale) : (j % 2 == 0 ? scale : -scale);
                }
            }
            else
            {
                values[positions[random.Next(positions.Length)]] = kinds[k] switch
                {
                    Normalization.Poison.NaN => double.NaN,
                    Normalization.Poison.PositiveInfinity => double.PositiveInfinity,
                    _ => double.NegativeInfinity,
                };
            }
        }

        return new NonFiniteCase(step, step with { Tensor = step.Tensor with { Values = values } }, channels, kinds);
    }
}
