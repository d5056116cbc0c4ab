using System.Numerics;

namespace BnNative.Demo;

/// <summary>A trainable array, its gradient (summed over the batch, already global under data parallelism) and the optimizer's velocity.</summary>
internal sealed class Parameter<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public Parameter(string name, T[] value)
    {
        Name = name;
        Value = value;
        Gradient = new T[value.Length];
        Velocity = new T[value.Length];
    }

    /// <summary>Name in the saved model (for example dense1/W).</summary>
    public string Name { get; }

    public T[] Value { get; }

    public T[] Gradient { get; }

    public T[] Velocity { get; }
}
