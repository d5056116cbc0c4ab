namespace BnNative.Testing;

/// <summary>The element type a generated tensor is stored in.</summary>
public enum ElementType
{
    /// <summary><see cref="float"/>.</summary>
    Single,

    /// <summary><see cref="double"/>.</summary>
    Double,
}

/// <summary>What an <see cref="ElementType"/> does to the numbers it stores.</summary>
public static class ElementTypes
{
    /// <summary>
    /// The unit roundoff u of <paramref name="type"/>: 2⁻²⁴ for <see cref="ElementType.Single"/>, 2⁻⁵³ for
    /// <see cref="ElementType.Double"/>. One rounding to the type is off by at most u of the exact value.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="type"/> is not a defined value.</exception>
    public static double UnitRoundoff(this ElementType type) => type switch
    {
        ElementType.Single => Math.ScaleB(1, -24),
        ElementType.Double => Math.ScaleB(1, -53),
        _ => throw Undefined(type),
    };

    /// <summary>
    /// <paramref name="value"/> rounded to <paramref name="type"/> and widened back: <c>(double)(float)value</c> for
    /// <see cref="ElementType.Single"/>, the value itself for <see cref="ElementType.Double"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="type"/> is not a defined value.</exception>
    public static double Round(this ElementType type, double value) => type switch
    {
        ElementType.Single => (float)value,
        ElementType.Double => value,
        _ => throw Undefined(type),
    };

    /// <summary>A new array with every entry of <paramref name="values"/> rounded to <paramref name="type"/> (<see cref="Round(ElementType, double)"/>).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="values"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="type"/> is not a defined value.</exception>
    public static double[] Round(this ElementType type, IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentChecks.Defined(type);
        var rounded = new double[values.Count];
        for (int i = 0; i < rounded.Length; i++)
        {
            rounded[i] = type.Round(values[i]);
        }

        return rounded;
    }

    /// <summary>The element type of <typeparamref name="T"/>.</summary>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is neither <see cref="float"/> nor <see cref="double"/>.</exception>
    public static ElementType Of<T>() =>
        typeof(T) == typeof(float) ? ElementType.Single
        : typeof(T) == typeof(double) ? ElementType.Double
        : throw new NotSupportedException($"The element type must be float or double, got {typeof(T).Name}.");

    private static ArgumentOutOfRangeException Undefined(ElementType type) =>
        new(nameof(type), type, $"type must be {nameof(ElementType.Single)} or {nameof(ElementType.Double)}, got {type}.");
}
