using System.Runtime.CompilerServices;

namespace BnNative.Native.Blas;

/// <summary>
/// Argument checks run before every native call: CBLAS reports bad sizes through <c>xerbla</c>, which prints and
/// may end the process, or simply reads out of bounds. Each check names the caller's parameter.
/// </summary>
internal static unsafe class BlasArguments
{
    /// <summary>A count or dimension: at least 0.</summary>
    public static void Count(long n, [CallerArgumentExpression(nameof(n))] string? name = null) =>
        ArgumentOutOfRangeException.ThrowIfNegative(n, name);

    /// <summary>The most elements one native call may take (an internal knob so tests can force splitting).</summary>
    public static void PerCall(int maxPerCall, [CallerArgumentExpression(nameof(maxPerCall))] string? name = null) =>
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPerCall, 1, name);

    /// <summary>
    /// A strided vector of <paramref name="n"/> elements: non-zero increment whose magnitude fits the 32-bit
    /// CBLAS increment, a pointer when there is at least one element, and a span that fits a 64-bit index.
    /// </summary>
    public static void Vector(
        long n,
        void* x,
        long inc,
        [CallerArgumentExpression(nameof(x))] string? xName = null,
        [CallerArgumentExpression(nameof(inc))] string? incName = null)
    {
        if (inc == 0)
        {
            throw new ArgumentOutOfRangeException(incName, inc, $"{incName} must not be 0.");
        }

        if (inc is < -int.MaxValue or > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(incName, inc, $"|{incName}| must be at most {int.MaxValue}, the largest increment CBLAS takes.");
        }

        if (n > 0 && x is null)
        {
            throw new ArgumentNullException(xName, $"{xName} is null but addresses {n} elements.");
        }

        if (n > 1 && n - 1 > long.MaxValue / Math.Abs(inc))
        {
            throw new ArgumentOutOfRangeException(incName, inc, $"{n} elements {incName} = {inc} apart span more than a 64-bit index can address.");
        }
    }

    /// <summary>
    /// A row-major <paramref name="rows"/>×<paramref name="columns"/> matrix: leading dimension at least
    /// max(1, columns), as CBLAS requires, and a pointer when the matrix is not empty.
    /// </summary>
    public static void Matrix(
        int rows,
        int columns,
        void* a,
        int ld,
        [CallerArgumentExpression(nameof(a))] string? aName = null,
        [CallerArgumentExpression(nameof(ld))] string? ldName = null)
    {
        if (ld < Math.Max(1, columns))
        {
            throw new ArgumentOutOfRangeException(
                ldName, ld, $"{ldName} must be at least max(1, {columns}), the row length of the row-major {rows}×{columns} matrix {aName}.");
        }

        if (rows > 0 && columns > 0 && a is null)
        {
            throw new ArgumentNullException(aName, $"{aName} is null but is a {rows}×{columns} matrix.");
        }
    }
}
