using BnNative.Collections;
using BnNative.Tensors;

namespace BnNative.IO;

/// <summary>
/// An n-dimensional array as stored in a .npy file: element type, shape and the elements in C (row-major)
/// order. Immutable: the accessors return copies. Read one with <see cref="NpyFile.Read(string)"/> or
/// <see cref="NpzFile.Read(string)"/>, or build one with <see cref="FromTensor(TensorView{float})"/>,
/// <see cref="FromTensor(TensorView{double})"/> or <see cref="FromInt64Scalar"/> to write into an .npz.
/// The accessors never convert between element types: asking a float64 array for a float32 tensor throws.
/// </summary>
public sealed class NpyArray
{
    private readonly Array _elements;
    private readonly string _origin;

    private NpyArray(NpyDType dtype, int[] shape, Array elements, string origin)
    {
        DType = dtype;
        Shape = ReadOnlyVector<int>.Adopt(shape);
        _elements = elements;
        _origin = origin;
    }

    /// <summary>The element type.</summary>
    public NpyDType DType { get; }

    /// <summary>Axis lengths; empty for a scalar (NumPy shape <c>()</c>).</summary>
    public ReadOnlyVector<int> Shape { get; }

    /// <summary>Number of axes (0 for a scalar).</summary>
    public int Rank => Shape.Length;

    /// <summary>Number of elements: the product of <see cref="Shape"/> (1 for a scalar, 0 when an axis is empty).</summary>
    public long ElementCount => _elements.LongLength;

    /// <summary>A float32 array holding a row-major copy of <paramref name="x"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="x"/> is null.</exception>
    public static NpyArray FromTensor(TensorView<float> x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return new NpyArray(NpyDType.Float32, x.Lengths.ToArray(), x.ToArray(), "the array");
    }

    /// <summary>A float64 array holding a row-major copy of <paramref name="x"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="x"/> is null.</exception>
    public static NpyArray FromTensor(TensorView<double> x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return new NpyArray(NpyDType.Float64, x.Lengths.ToArray(), x.ToArray(), "the array");
    }

    /// <summary>An int64 scalar (shape <c>()</c>), such as a step counter.</summary>
    public static NpyArray FromInt64Scalar(long value) => new(NpyDType.Int64, [], new[] { value }, "the array");

    /// <summary>A new float32 tensor with a copy of the elements and this shape.</summary>
    /// <exception cref="InvalidDataException"><see cref="DType"/> is not <see cref="NpyDType.Float32"/>; the message names
    /// the source and both types. No conversion is made.</exception>
    public Tensor<float> ToFloatTensor() => Tensor<float>.FromArray(ElementsAs<float>(NpyDType.Float32, "ToFloatTensor"), Shape.AsSpan());

    /// <summary>A new float64 tensor with a copy of the elements and this shape.</summary>
    /// <exception cref="InvalidDataException"><see cref="DType"/> is not <see cref="NpyDType.Float64"/>; the message names
    /// the source and both types. No conversion (not even the exact float32 → float64 widening) is made.</exception>
    public Tensor<double> ToDoubleTensor() => Tensor<double>.FromArray(ElementsAs<double>(NpyDType.Float64, "ToDoubleTensor"), Shape.AsSpan());

    /// <summary>A new array with a copy of the int64 elements in row-major order.</summary>
    /// <exception cref="InvalidDataException"><see cref="DType"/> is not <see cref="NpyDType.Int64"/>.</exception>
    public long[] ToInt64Array() => ElementsAs<long>(NpyDType.Int64, "ToInt64Array");

    /// <summary>The single element of an int64 array with exactly one element (shape <c>()</c>, <c>(1,)</c>, …).</summary>
    /// <exception cref="InvalidDataException"><see cref="DType"/> is not <see cref="NpyDType.Int64"/>, or the array
    /// holds other than one element.</exception>
    public long AsInt64Scalar()
    {
        var values = ElementsAs<long>(NpyDType.Int64, "AsInt64Scalar");
        return values.Length == 1
            ? values[0]
            : throw new InvalidDataException(
                $"{Capitalized(_origin)} has shape {NpyHeader.ShapeText(Shape.AsSpan())} ({values.Length} elements), "
                + "but AsInt64Scalar expects exactly one element.");
    }

    /// <summary>Formats as <c>NpyArray Float32 (2, 3)</c>.</summary>
    public override string ToString() => $"NpyArray {DType} {NpyHeader.ShapeText(Shape.AsSpan())}";

    /// <summary>Reads the data block that follows <paramref name="header"/>.</summary>
    /// <exception cref="InvalidDataException">The stream ends before the data the shape needs.</exception>
    internal static NpyArray Read(Stream stream, NpyHeader header, NpySource source)
    {
        Array elements = header.DType switch
        {
            NpyDType.Float32 => ReadElements<float>(stream, header, source),
            NpyDType.Float64 => ReadElements<double>(stream, header, source),
            _ => ReadElements<long>(stream, header, source),
        };
        return new NpyArray(header.DType, header.Shape, elements, source.Name());
    }

    /// <summary>Writes the elements little-endian in C order (the data block of a .npy file).</summary>
    internal void WriteElements(Stream stream)
    {
        switch (_elements)
        {
            case float[] floats:
                NpyElements.Write<float>(stream, floats);
                break;
            case double[] doubles:
                NpyElements.Write<double>(stream, doubles);
                break;
            default:
                NpyElements.Write<long>(stream, (long[])_elements);
                break;
        }
    }

    private static T[] ReadElements<T>(Stream stream, NpyHeader header, NpySource source)
        where T : unmanaged
    {
        var elements = new T[header.ElementCount];
        long found = NpyElements.Read<T>(stream, elements, header.BigEndian);
        if (found < header.DataLength)
        {
            throw source.Error(TruncatedData(header, found));
        }

        return header.FortranOrder ? NpyElements.FortranToRowMajor(elements, header.Shape) : elements;
    }

    /// <summary>The message for a data block shorter than the header promises.</summary>
    internal static string TruncatedData(NpyHeader header, long found) =>
        $"expected {header.DataLength} data bytes for shape {NpyHeader.ShapeText(header.Shape)} of '{NpyHeader.Descr(header.DType)}', "
        + $"found {found} (the data is truncated).";

    private T[] ElementsAs<T>(NpyDType expected, string accessor) =>
        DType == expected
            ? (T[])((T[])_elements).Clone()
            : throw new InvalidDataException(
                $"{Capitalized(_origin)} holds {DType} ('{NpyHeader.Descr(DType)}') elements, but {accessor} expects "
                + $"{expected} ('{NpyHeader.Descr(expected)}'); no implicit conversion is made.");

    private static string Capitalized(string text) => char.ToUpperInvariant(text[0]) + text[1..];
}
