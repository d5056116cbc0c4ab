namespace BnNative.Native.Blas;

/// <summary>One name or path to try, and the vendor it must turn out to be (null: any vendor).</summary>
/// <param name="NameOrPath">Passed unchanged to <see cref="System.Runtime.InteropServices.NativeLibrary.Load(string)"/>.</param>
/// <param name="Expected">The vendor the library must identify as; null for a path the caller chose.</param>
internal readonly record struct BlasCandidate(string NameOrPath, BlasVendor? Expected);

/// <summary>What a load request means: the candidates to try in order, and whose install hints to show on failure.</summary>
/// <param name="Requested">The request in words, for messages.</param>
/// <param name="Candidates">Tried in order; the first that loads and verifies wins.</param>
/// <param name="Vendors">The vendors whose install hints a failure message lists.</param>
internal sealed record BlasLoadPlan(string Requested, IReadOnlyList<BlasCandidate> Candidates, IReadOnlyList<BlasVendor> Vendors)
{
    /// <summary>The vendor names and what else is accepted, for messages.</summary>
    public const string AcceptedNames = "mkl, openblas, blis, reference (any case) or the path of a CBLAS library";

    /// <summary>Every candidate of one vendor.</summary>
    public static BlasLoadPlan ForVendor(BlasVendor vendor) =>
        new(vendor.ConfigName(), [.. BlasCandidates.For(vendor).Select(name => new BlasCandidate(name, vendor))], [vendor]);

    /// <summary>
    /// Interprets <paramref name="nameOrPath"/>: null → the <c>BNNATIVE_BLAS</c> variable, and when that is unset
    /// every vendor in <see cref="BlasVendorNames.SearchOrder"/>; a vendor name → that vendor's candidates; anything
    /// that looks like a library file → that file alone, whatever its vendor.
    /// </summary>
    /// <param name="nameOrPath">The caller's argument.</param>
    /// <param name="plan">The plan; null when <paramref name="error"/> is set.</param>
    /// <param name="error">Why the name was not understood; null on success.</param>
    /// <returns>Whether the name was understood.</returns>
    public static bool TryCreate(string? nameOrPath, out BlasLoadPlan? plan, out string? error) =>
        TryCreate(nameOrPath, Environment.GetEnvironmentVariable(CblasLibrary.EnvironmentVariable), out plan, out error);

    /// <summary><see cref="TryCreate(string?, out BlasLoadPlan?, out string?)"/> with the environment variable's value given.</summary>
    /// <param name="nameOrPath">The caller's argument.</param>
    /// <param name="environmentValue">The value of <c>BNNATIVE_BLAS</c>, used only when <paramref name="nameOrPath"/> is null.</param>
    /// <param name="plan">The plan; null when <paramref name="error"/> is set.</param>
    /// <param name="error">Why the name was not understood; null on success.</param>
    /// <returns>Whether the name was understood.</returns>
    internal static bool TryCreate(string? nameOrPath, string? environmentValue, out BlasLoadPlan? plan, out string? error)
    {
        string? fromEnvironment = nameOrPath is null ? environmentValue : null;
        string? requested = nameOrPath ?? (string.IsNullOrWhiteSpace(fromEnvironment) ? null : fromEnvironment);
        error = null;
        if (requested is null)
        {
            plan = new BlasLoadPlan(
                "any vendor (" + string.Join(", ", BlasVendorNames.SearchOrder.Select(v => v.ConfigName())) + ")",
                [.. BlasVendorNames.SearchOrder.SelectMany(vendor => ForVendor(vendor).Candidates)],
                BlasVendorNames.SearchOrder);
            return true;
        }

        if (BlasVendorNames.TryParse(requested, out BlasVendor vendor))
        {
            plan = ForVendor(vendor);
            return true;
        }

        if (BlasCandidates.LooksLikeLibrary(requested))
        {
            plan = new BlasLoadPlan($"'{requested}'", [new BlasCandidate(requested, null)], BlasVendorNames.SearchOrder);
            return true;
        }

        plan = null;
        string source = fromEnvironment is null ? "nameOrPath" : $"the {CblasLibrary.EnvironmentVariable} environment variable";
        error = $"Unknown BLAS '{requested}' in {source}: expected {AcceptedNames}.";
        return false;
    }
}
