using FsCheck;
using FsCheck.Fluent;

namespace BnNative.Testing;

/// <summary>
/// The package's default generators as FsCheck arbitraries, to register once for every property of a test class or
/// project: <c>Config.Default.WithArbitrary([typeof(BnNativeArbitraries)])</c> with FsCheck's runner, or
/// <c>Arbitrary = [typeof(BnNativeArbitraries)]</c> on an FsCheck.Xunit or FsCheck.NUnit property attribute. A
/// property then takes a <see cref="TensorCase"/> or a <see cref="NormalizationCase"/> parameter. The cases do not
/// shrink: a failing case is reported as drawn, with its replay seed.
/// </summary>
public static class BnNativeArbitraries
{
    /// <summary>Small tensors: <see cref="TensorGenerators.Tensors"/> of float and double with <see cref="ValueDraws.Standard"/> and the default bounds.</summary>
    public static Arbitrary<TensorCase> Tensors() =>
        Arb.From(TensorGenerators.Tensors(TensorGenerators.BothTypes, ValueDraws.Standard));

    /// <summary>Steps: <see cref="NormalizationGenerators.Cases"/> over <see cref="NormalizationGenerators.Inputs"/> of float and double.</summary>
    public static Arbitrary<NormalizationCase> NormalizationCases() =>
        Arb.From(NormalizationGenerators.Cases(NormalizationGenerators.Inputs(TensorGenerators.BothTypes)));
}
