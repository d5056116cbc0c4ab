using System.Numerics;
using BnNative.Collections;
using BnNative.Normalization;
using BnNative.Tensors;

namespace BnNative.IO;

/// <summary>
/// A <see cref="BatchNormState{T}"/> as an .npz file with tensorpack's names: <c>mean/EMA</c>, <c>variance/EMA</c>,
/// <c>gamma</c>, <c>beta</c> (float32 for float states, float64 for double ones, shape [C]) and <c>step</c> (int64
/// scalar); a state with batch renormalization adds <c>renorm_mean</c>, <c>renorm_stddev</c> and <c>moving_stddev</c>
/// (TF's names; all three or none). Writes are atomic (temp file + rename); loading checks names, dtypes and shapes.
/// </summary>
public static class BatchNormStateFile
{
    /// <summary>Name of the moving mean.</summary>
    public const string MeanKey = "mean/EMA";

    /// <summary>Name of the moving variance.</summary>
    public const string VarianceKey = "variance/EMA";

    /// <summary>Name of gamma.</summary>
    public const string GammaKey = "gamma";

    /// <summary>Name of beta.</summary>
    public const string BetaKey = "beta";

    /// <summary>Name of the update counter.</summary>
    public const string StepKey = "step";

    /// <summary>Name of batch renormalization's renorm mean.</summary>
    public const string RenormMeanKey = "renorm_mean";

    /// <summary>Name of batch renormalization's renorm standard deviation.</summary>
    public const string RenormStddevKey = "renorm_stddev";

    /// <summary>Name of batch renormalization's moving standard deviation.</summary>
    public const string MovingStddevKey = "moving_stddev";

    /// <summary>Writes <paramref name="state"/> to <paramref name="path"/> atomically; an existing file is replaced only when the write succeeded.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static void Save<T>(string path, BatchNormState<T> state)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(state);
        var entries = new List<(string, NpyArray)>
        {
            (MeanKey, Vector(state.MovingMean)),
            (VarianceKey, Vector(state.MovingVariance)),
            (GammaKey, Vector(state.Gamma)),
            (BetaKey, Vector(state.Beta)),
            (StepKey, NpyArray.FromInt64Scalar(state.Step)),
        };
        if (state.Renorm is { } renorm)
        {
            entries.Add((RenormMeanKey, Vector(renorm.RenormMean)));
            entries.Add((RenormStddevKey, Vector(renorm.RenormStddev)));
            entries.Add((MovingStddevKey, Vector(renorm.MovingStddev)));
        }

        NpzFile.Write(path, entries);
    }

    /// <summary>Reads a state written by <see cref="Save{T}"/> (or by tensorpack/NumPy with the same names).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid .npz, a name is missing, or a dtype or shape is
    /// wrong (float32 expected for a float state, float64 for a double one; all vectors of one length; step an int64 scalar).</exception>
    public static BatchNormState<T> Load<T>(string path)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(path);
        var entries = NpzFile.Read(path);
        var mean = Take<T>(entries, path, MeanKey);
        var variance = Take<T>(entries, path, VarianceKey);
        var gamma = Take<T>(entries, path, GammaKey);
        var beta = Take<T>(entries, path, BetaKey);
        if (!entries.TryGetValue(StepKey, out var stepArray) || stepArray.DType != NpyDType.Int64 || stepArray.Rank != 0)
        {
            throw new InvalidDataException($"{path}: '{StepKey}' must be an int64 scalar.");
        }

        foreach (var (name, vector) in new[] { (VarianceKey, variance), (GammaKey, gamma), (BetaKey, beta) })
        {
            if (vector.Length != mean.Length)
            {
                throw new InvalidDataException($"{path}: '{name}' has {vector.Length} channels but '{MeanKey}' has {mean.Length}.");
            }
        }

        for (int c = 0; c < variance.Length; c++)
        {
            if (variance[c] < T.Zero)
            {
                throw new InvalidDataException($"{path}: '{VarianceKey}'[{c}] is {variance[c]}; a variance must be ≥ 0.");
            }
        }

        long step = stepArray.AsInt64Scalar();
        if (step < 0)
        {
            throw new InvalidDataException($"{path}: '{StepKey}' is {step}; it counts updates and must be ≥ 0.");
        }

        var renormKeys = new[] { RenormMeanKey, RenormStddevKey, MovingStddevKey };
        int present = renormKeys.Count(entries.ContainsKey);
        if (present is not 0 and not 3)
        {
            throw new InvalidDataException(
                $"{path}: a renorm state needs all of {string.Join(", ", renormKeys)}; found only {string.Join(", ", renormKeys.Where(entries.ContainsKey))}.");
        }

        BatchRenormState<T>? renorm = null;
        if (present != 0)
        {
            var parts = renormKeys.Select(key => Take<T>(entries, path, key)).ToArray();
            for (int k = 0; k < parts.Length; k++)
            {
                if (parts[k].Length != mean.Length)
                {
                    throw new InvalidDataException($"{path}: '{renormKeys[k]}' has {parts[k].Length} channels but '{MeanKey}' has {mean.Length}.");
                }

                for (int c = 0; k > 0 && c < parts[k].Length; c++)
                {
                    if (!(parts[k][c] >= T.Zero))
                    {
                        throw new InvalidDataException($"{path}: '{renormKeys[k]}'[{c}] is {parts[k][c]}; a standard deviation must be ≥ 0.");
                    }
                }
            }

            renorm = new BatchRenormState<T>(parts[0], parts[1], parts[2]);
        }

        try
        {
            return new BatchNormState<T>(mean, variance, gamma, beta, step) { Renorm = renorm };
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    private static NpyArray Vector<T>(ReadOnlyVector<T> values)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var data = values.ToArray();
        return typeof(T) == typeof(float)
            ? NpyArray.FromTensor(TensorView<float>.Create((float[])(object)data, data.Length))
            : NpyArray.FromTensor(TensorView<double>.Create((double[])(object)data, data.Length));
    }

    private static ReadOnlyVector<T> Take<T>(IReadOnlyDictionary<string, NpyArray> entries, string path, string key)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!entries.TryGetValue(key, out var array))
        {
            throw new InvalidDataException(
                $"{path}: no '{key}' array; a state file holds {MeanKey}, {VarianceKey}, {GammaKey}, {BetaKey} and {StepKey}.");
        }

        var expected = typeof(T) == typeof(float) ? NpyDType.Float32 : NpyDType.Float64;
        if (array.DType != expected || array.Rank != 1)
        {
            throw new InvalidDataException(
                $"{path}: '{key}' must be a 1-D {expected} array; found {array.DType} with shape [{string.Join(", ", array.Shape)}].");
        }

        T[] values = typeof(T) == typeof(float) ? (T[])(object)array.ToFloatTensor().Data : (T[])(object)array.ToDoubleTensor().Data;
        return ReadOnlyVector.Create<T>(values);
    }
}
