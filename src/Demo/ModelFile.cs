using BnNative.IO;
using BnNative.Tensors;

namespace BnNative.Demo;

/// <summary>A network's parameters as an .npz (one float32 array per parameter, named like dense1/W), written atomically.</summary>
internal static class ModelFile
{
    public static void Save(string path, Mlp<float> model) =>
        NpzFile.Write(path, model.Parameters.Select(p => (p.Name, NpyArray.FromTensor(TensorView<float>.Create((float[])p.Value.Clone(), p.Value.Length)))).ToArray());

    /// <summary>Copies the saved values into <paramref name="model"/>'s parameters (names and lengths must match).</summary>
    /// <exception cref="InvalidDataException">A parameter is missing or has the wrong length.</exception>
    public static void Load(string path, Mlp<float> model)
    {
        var entries = NpzFile.Read(path);
        foreach (var parameter in model.Parameters)
        {
            if (!entries.TryGetValue(parameter.Name, out var array) || array.DType != NpyDType.Float32 || array.ElementCount != parameter.Value.Length)
            {
                throw new InvalidDataException($"{path}: no float32 '{parameter.Name}' of {parameter.Value.Length} values.");
            }

            array.ToFloatTensor().Data.CopyTo(parameter.Value, 0);
        }
    }
}
