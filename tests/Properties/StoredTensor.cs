using System.Numerics;
using BnNative.Moments;
using BnNative.Tensors;

namespace BnNative.Tests.Properties;

/// <summary>
/// A float or double <see cref="TensorView{T}"/> behind one non-generic type, so that a property written once runs
/// for both element types. Every operation forwards to the view.
/// </summary>
public abstract class StoredTensor
{
    /// <summary>Axis lengths.</summary>
    public abstract int[] Lengths { get; }

    /// <summary>The tensor of <paramref name="x"/> stored in its layout, as a float or double view.</summary>
    public static StoredTensor Of(TensorCase x) => x.Type switch
    {
        ElementType.Single => new Typed<float>(x.Store<float>()),
        ElementType.Double => new Typed<double>(x.Store<double>()),
        _ => throw new ArgumentOutOfRangeException(nameof(x), x.Type, "Unknown element type."),
    };

    /// <summary><see cref="TensorView{T}.Slice"/>.</summary>
    public abstract StoredTensor Slice(int axis, int start, int length);

    /// <summary><see cref="TensorView{T}.Permute"/>.</summary>
    public abstract StoredTensor Permute(params int[] axes);

    /// <summary><see cref="TensorView{T}.ToContiguous"/>.</summary>
    public abstract StoredTensor ToContiguous();

    /// <summary><see cref="MomentsBackend.Compute{T}"/> on the view.</summary>
    public abstract BatchMoments Compute(MomentsBackend backend, int channelAxis, int? threads = null);

    private sealed class Typed<T>(TensorView<T> view) : StoredTensor
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public override int[] Lengths => view.Lengths.ToArray();

        public override StoredTensor Slice(int axis, int start, int length) => new Typed<T>(view.Slice(axis, start, length));

        public override StoredTensor Permute(params int[] axes) => new Typed<T>(view.Permute(axes));

        public override StoredTensor ToContiguous() => new Typed<T>(view.ToContiguous());

        public override BatchMoments Compute(MomentsBackend backend, int channelAxis, int? threads = null) =>
            backend.Compute(view, channelAxis, threads);

        public override string ToString() => view.ToString();
    }
}
