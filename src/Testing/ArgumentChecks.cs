using System.Runtime.CompilerServices;

namespace BnNative.Testing;

/// <summary>
/// The argument checks of the public API: each throws an exception that names the parameter and says what was
/// expected and what arrived.
/// </summary>
internal static class ArgumentChecks
{
    /// <summary>Throws when <paramref name="value"/> is NaN, infinite or below zero.</summary>
    public static void NonNegativeFinite(double value, [CallerArgumentExpression(nameof(value))] string name = "")
    {
        if (!double.IsFinite(value) || value < 0)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be finite and ≥ 0, got {value}.");
        }
    }

    /// <summary>Throws when <paramref name="values"/> is null or does not hold <paramref name="expected"/> entries.</summary>
    public static void Length<T>(IReadOnlyCollection<T>? values, int expected, string what, [CallerArgumentExpression(nameof(values))] string name = "")
    {
        ArgumentNullException.ThrowIfNull(values, name);
        if (values.Count != expected)
        {
            throw new ArgumentException($"{name} must hold {expected} entries ({what}), got {values.Count}.", name);
        }
    }

    /// <summary>Throws when one of four per-channel lists is null or does not hold one entry per channel of <paramref name="owner"/>.</summary>
    public static void PerChannel(
        int channels,
        string owner,
        IReadOnlyCollection<double>? first,
        IReadOnlyCollection<double>? second,
        IReadOnlyCollection<double>? third,
        IReadOnlyCollection<double>? fourth,
        [CallerArgumentExpression(nameof(first))] string firstName = "",
        [CallerArgumentExpression(nameof(second))] string secondName = "",
        [CallerArgumentExpression(nameof(third))] string thirdName = "",
        [CallerArgumentExpression(nameof(fourth))] string fourthName = "")
    {
        string what = $"one per channel of {owner}";
        Length(first, channels, what, firstName);
        Length(second, channels, what, secondName);
        Length(third, channels, what, thirdName);
        Length(fourth, channels, what, fourthName);
    }

    /// <summary>Throws when <paramref name="value"/> is not a named member of its enum.</summary>
    public static void Defined<TEnum>(TEnum value, [CallerArgumentExpression(nameof(value))] string name = "")
        where TEnum : struct, Enum
    {
        if (!Enum.IsDefined(value))
        {
            throw new ArgumentOutOfRangeException(
                name, value, $"{name} must be one of {string.Join(", ", Enum.GetNames<TEnum>())}, got {value}.");
        }
    }

    /// <summary>Throws when <paramref name="rank"/> is below 2 (a batch axis and a channel axis).</summary>
    public static void TensorRank(int rank, [CallerArgumentExpression(nameof(rank))] string name = "")
    {
        if (rank < 2)
        {
            throw new ArgumentOutOfRangeException(name, rank, $"{name} must be at least 2 (a batch axis and a channel axis), got {rank}.");
        }
    }

    /// <summary>Throws when <paramref name="lengths"/> is null, or shorter than <paramref name="minRank"/>, or holds a length below <paramref name="minLength"/>.</summary>
    public static void Lengths(int[]? lengths, int minRank, int minLength = 1, [CallerArgumentExpression(nameof(lengths))] string name = "")
    {
        ArgumentNullException.ThrowIfNull(lengths, name);
        if (lengths.Length < minRank)
        {
            throw new ArgumentException($"{name} must hold at least {minRank} axis lengths, got {lengths.Length}.", name);
        }

        for (int axis = 0; axis < lengths.Length; axis++)
        {
            if (lengths[axis] < minLength)
            {
                throw new ArgumentException($"{name}[{axis}] must be at least {minLength}, got {lengths[axis]}.", name);
            }
        }
    }

    /// <summary>Throws when <paramref name="axis"/> is outside [0, <paramref name="rank"/>).</summary>
    public static void Axis(int axis, int rank, [CallerArgumentExpression(nameof(axis))] string name = "")
    {
        if (axis < 0 || axis >= rank)
        {
            throw new ArgumentOutOfRangeException(name, axis, $"{name} must be in [0, {rank - 1}] for rank {rank}, got {axis}.");
        }
    }
}
