using FsCheck.Xunit;

namespace BnNative.Tests.Properties;

/// <summary>
/// An FsCheck property over the package's <see cref="BnNativeArbitraries"/> (<see cref="TensorCase"/>,
/// <see cref="NormalizationCase"/>) and the suite's <see cref="SuiteArbitraries"/> (<see cref="BatchSplit"/>),
/// 100 cases, quiet on success. Set <c>Replay = "(seed,gamma)"</c> on a copy of a property to keep a past failure as
/// a regression case.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class MomentsPropertyAttribute : PropertyAttribute
{
    /// <summary>Presets the generators and the number of cases.</summary>
    public MomentsPropertyAttribute()
    {
        Arbitrary = [typeof(BnNativeArbitraries), typeof(SuiteArbitraries)];
        MaxTest = 100;
        QuietOnSuccess = true;
    }
}
