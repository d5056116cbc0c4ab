using System.Globalization;
using System.Runtime.CompilerServices;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;

namespace BnNative.Tests.Properties;

/// <summary>
/// Runs an FsCheck property inside an xunit test (the per-backend theories, where FsCheck.Xunit's attribute cannot
/// pass the backend): first the property's <see cref="RegressionSeeds"/>, then <c>maxTest</c> fresh cases. A
/// failure throws with FsCheck's report, which names the case and the replay seed.
/// </summary>
public static class PropertyCheck
{
    /// <summary>Checks <paramref name="property"/> for every case <paramref name="cases"/> draws.</summary>
    /// <param name="cases">The generator.</param>
    /// <param name="property">Throws (an xunit assertion) when a case falsifies the property.</param>
    /// <param name="maxTest">Number of fresh cases.</param>
    /// <param name="name">The property's name in <see cref="RegressionSeeds"/>; the calling method by default.</param>
    public static void ForAll<T>(Gen<T> cases, Action<T> property, int maxTest, [CallerMemberName] string name = "")
    {
        var config = Config.QuickThrowOnFailure.WithQuietOnSuccess(true);
        var test = Prop.ForAll(Arb.From(cases), property);
        foreach (string replay in RegressionSeeds.For(name))
        {
            Check.One(config.WithMaxTest(1).WithReplay(FSharpOption<Replay>.Some(Parse(replay))), test);
        }

        Check.One(config.WithMaxTest(maxTest), test);
    }

    /// <summary>Parses FsCheck's <c>(seed,gamma)</c> or <c>(seed,gamma,size)</c>.</summary>
    private static Replay Parse(string replay)
    {
        var parts = replay.Trim('(', ')', ' ').Split(',', StringSplitOptions.TrimEntries);
        var rnd = new Rnd(ulong.Parse(parts[0], CultureInfo.InvariantCulture), ulong.Parse(parts[1], CultureInfo.InvariantCulture));
        var size = parts.Length > 2 ? FSharpOption<int>.Some(int.Parse(parts[2], CultureInfo.InvariantCulture)) : FSharpOption<int>.None;
        return new Replay(rnd, size);
    }
}
