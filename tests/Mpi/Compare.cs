using BnNative.IO;
using BnNative.Tensors;

namespace BnNative.Tests.Mpi;

/// <summary>Reading results back and comparing them with a tolerance that says which values differ.</summary>
internal static class Compare
{
    public static double[] Doubles(NpyArray array) => array.DType switch
    {
        NpyDType.Float32 => array.ToFloatTensor().Data.Select(v => (double)v).ToArray(),
        NpyDType.Float64 => array.ToDoubleTensor().Data,
        _ => throw new InvalidDataException($"Unexpected dtype {array.DType}."),
    };

    public static double[] Doubles<T>(TensorView<T> view)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T> =>
        view.ToArray().Select(double.CreateTruncating).ToArray();

    /// <summary>|actual − expected| ≤ tolerance·(1 + |expected|) everywhere, with the worst entry in the message.</summary>
    public static void Close(IReadOnlyList<double> expected, IReadOnlyList<double> actual, double tolerance, string what)
    {
        Assert.True(expected.Count == actual.Count, $"{what}: {actual.Count} values, expected {expected.Count}.");
        for (int i = 0; i < expected.Count; i++)
        {
            double error = Math.Abs(actual[i] - expected[i]);
            Assert.True(
                error <= tolerance * (1 + Math.Abs(expected[i])),
                $"{what}[{i}]: {actual[i]:R} vs expected {expected[i]:R} (|error| {error:E2} > {tolerance:E1}·(1 + |expected|)).");
        }
    }
}
