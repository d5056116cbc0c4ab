using BnNative.Normalization;

namespace BnNative.Tools;

/// <summary>
/// Option values both tools parse the same way. Each parser throws <see cref="ArgumentException"/> with a message that
/// names the option, what was expected and what arrived, which the tools report as bad input.
/// </summary>
internal static class ToolOptions
{
    /// <summary><c>--sync none | mpi</c> (any case, surrounding spaces ignored): whether to synchronize over <c>mpirun</c>.</summary>
    public static bool ParseSync(string value) => value.Trim().ToLowerInvariant() switch
    {
        "none" => false,
        "mpi" => true,
        _ => throw new ArgumentException($"--sync '{value}' is not one of none, mpi."),
    };

    /// <summary><c>--ema internal | collection | skip</c> (<c>default</c> is collection, tensorpack's default).</summary>
    public static EmaUpdate ParseEma(string value) => value.Trim().ToLowerInvariant() switch
    {
        "internal" => EmaUpdate.Internal,
        "collection" or "default" => EmaUpdate.Collection,
        "skip" => EmaUpdate.Skip,
        _ => throw new ArgumentException($"--ema '{value}' is not one of internal, collection, skip."),
    };
}
