using BnNative.MathNet;
using MathNet.Numerics.LinearAlgebra;

namespace BnNative.Tests.MathNet;

public sealed class MathNetTensorViewsTests
{
    [Fact]
    public void DenseMatrixView_IsColumnMajorOverTheSameArray_AndWritesGoBothWays()
    {
        var matrix = Matrix<double>.Build.Dense(3, 4, (i, j) => (10 * i) + j);
        var view = matrix.AsTensorView();

        Assert.Equal([3, 4], view.Lengths.ToArray());
        Assert.Equal([1L, 3L], view.Shape.Strides.ToArray());
        for (int i = 0; i < 3; i++)
        {
            for (int j = 0; j < 4; j++)
            {
                Assert.Equal(matrix[i, j], view[i, j]);
            }
        }

        view[2, 1] = -7;
        Assert.Equal(-7, matrix[2, 1]);
        matrix[0, 3] = 42;
        Assert.Equal(42, view[0, 3]);
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray<double>(view.Memory, out var segment));
        Assert.Same(matrix.AsColumnMajorArray(), segment.Array);
    }

    [Fact]
    public void FloatMatrixAndVectorViews_AreZeroCopy()
    {
        var matrix = Matrix<float>.Build.Dense(2, 2);
        matrix.AsTensorView()[1, 0] = 3.5f;
        Assert.Equal(3.5f, matrix[1, 0]);

        var vector = Vector<float>.Build.Dense([1f, 2f, 3f]);
        var view = vector.AsTensorView();
        Assert.Equal([3], view.Lengths.ToArray());
        view[2] = -1f;
        Assert.Equal(-1f, vector[2]);
    }

    [Fact]
    public void EmptyAndSingleRowMatrices_HaveViews()
    {
        var empty = Matrix<double>.Build.Dense(0, 3).AsTensorView();
        Assert.Equal([0, 3], empty.Lengths.ToArray());
        Assert.Equal(0, empty.ElementCount);

        var row = Matrix<float>.Build.Dense(1, 5, (_, j) => j).AsTensorView();
        Assert.Equal([0f, 1, 2, 3, 4], row.ToArray());
    }

    [Fact]
    public void NonDenseStorage_IsRefused_NamingTheParameterAndTheWayOut()
    {
        var sparse = Assert.Throws<ArgumentException>(() => Matrix<double>.Build.Sparse(3, 3).AsTensorView());
        Assert.Equal("matrix", sparse.ParamName);
        Assert.Contains("SparseCompressedRowMatrixStorage", sparse.Message, StringComparison.Ordinal);
        Assert.Contains("CopyToTensorView()", sparse.Message, StringComparison.Ordinal);

        var diagonal = Assert.Throws<ArgumentException>(() => Matrix<float>.Build.DiagonalIdentity(2).AsTensorView());
        Assert.Equal("matrix", diagonal.ParamName);
        Assert.Contains("DiagonalMatrixStorage", diagonal.Message, StringComparison.Ordinal);

        Assert.Equal("vector", Assert.Throws<ArgumentException>(() => Vector<double>.Build.Sparse(4).AsTensorView()).ParamName);
        Assert.Equal("matrix", Assert.Throws<ArgumentNullException>(() => ((Matrix<double>)null!).AsTensorView()).ParamName);
        Assert.Equal("vector", Assert.Throws<ArgumentNullException>(() => ((Vector<float>)null!).AsTensorView()).ParamName);
    }

    [Fact]
    public void CopyToTensorView_CopiesAnyStorage_AndIsIndependentOfTheSource()
    {
        var diagonal = Matrix<double>.Build.Diagonal([1.0, 2.0, 3.0]);
        var copy = diagonal.CopyToTensorView();
        Assert.Equal([3, 3], copy.Lengths.ToArray());
        Assert.Equal([1d, 0, 0, 0, 2, 0, 0, 0, 3], copy.ToArray());
        copy[1, 1] = 9;
        Assert.Equal(2, diagonal[1, 1]);

        var sparse = Matrix<float>.Build.Sparse(2, 3);
        sparse[1, 2] = 5f;
        var sparseCopy = sparse.CopyToTensorView();
        Assert.Equal(5f, sparseCopy[1, 2]);
        Assert.Equal([1L, 2L], sparseCopy.Shape.Strides.ToArray());

        var dense = Matrix<double>.Build.Dense(2, 2, 1.0);
        var denseCopy = dense.CopyToTensorView();
        denseCopy[0, 0] = -1;
        Assert.Equal(1.0, dense[0, 0]);

        var vector = Vector<double>.Build.SparseOfArray([0.0, 4.0, 0.0]);
        var vectorCopy = vector.CopyToTensorView();
        Assert.Equal([0d, 4, 0], vectorCopy.ToArray());
        vectorCopy[1] = 0;
        Assert.Equal(4.0, vector[1]);
    }
}
