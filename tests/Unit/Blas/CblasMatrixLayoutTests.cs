using BnNative.Native.Blas;
using BnNative.Tensors;

namespace BnNative.Tests.Blas;

/// <summary>
/// <see cref="CblasMatrixLayout.Of"/>: the transpose flag and leading dimension of every storage, the length-1 and
/// empty edge cases, and every view it refuses, with the parameter named.
/// </summary>
public sealed class CblasMatrixLayoutTests
{
    public static TheoryData<MatrixStorage, bool, int> Storages() => new()
    {
        // A [5, 4] logical matrix: see StoredMatrix for the buffers (sub-matrices add 3 to the stored row length).
        { MatrixStorage.RowMajor, false, 4 },
        { MatrixStorage.Transposed, true, 5 },
        { MatrixStorage.SubMatrix, false, 7 },
        { MatrixStorage.TransposedSubMatrix, true, 8 },
    };

    [Theory]
    [MemberData(nameof(Storages))]
    public void EachStorageHasItsFlagAndLeadingDimension(MatrixStorage storage, bool transposed, int leading)
    {
        var stored = StoredMatrix<float>.Create(new double[20], 5, 4, storage, 0f);

        Assert.Equal(new CblasMatrixLayout(transposed, leading), CblasMatrixLayout.Of(stored.View));
    }

    [Fact]
    public void TheStrideOfALengthOneAxisIsNeverUsed()
    {
        // A single row: row-major with ld = columns whatever its row stride; with a column stride above 1 it is the
        // transpose of a stored column.
        Assert.Equal(new CblasMatrixLayout(false, 4), CblasMatrixLayout.Of(View([1, 4], [1000, 1], 40)));
        Assert.Equal(new CblasMatrixLayout(false, 4), CblasMatrixLayout.Of(View([1, 4], [0, 1], 4)));
        Assert.Equal(new CblasMatrixLayout(true, 5), CblasMatrixLayout.Of(View([1, 4], [1, 5], 16)));

        // A single column: row-major with ld = its row stride, whatever its column stride.
        Assert.Equal(new CblasMatrixLayout(false, 3), CblasMatrixLayout.Of(View([4, 1], [3, 77], 10)));
        Assert.Equal(new CblasMatrixLayout(false, 1), CblasMatrixLayout.Of(View([4, 1], [1, 0], 4)));

        // 1×1: row-major, ld 1.
        Assert.Equal(new CblasMatrixLayout(false, 1), CblasMatrixLayout.Of(View([1, 1], [9, 9], 1)));

        // When both readings fit, row-major wins: [2, 1] with strides (1, 1) is either a column or a transposed row.
        Assert.Equal(new CblasMatrixLayout(false, 1), CblasMatrixLayout.Of(View([2, 1], [1, 1], 2)));
    }

    [Fact]
    public void AnEmptyViewHasALeadingDimensionEveryReadingAccepts()
    {
        Assert.Equal(new CblasMatrixLayout(false, 7), CblasMatrixLayout.Of(View([0, 7], [7, 1], 0)));
        Assert.Equal(new CblasMatrixLayout(false, 5), CblasMatrixLayout.Of(View([5, 0], [0, 0], 0)));
        Assert.Equal(new CblasMatrixLayout(false, 1), CblasMatrixLayout.Of(View([0, 0], [3, 2], 0)));
    }

    [Fact]
    public void ViewsCblasCannotReadInPlaceAreRejectedNamingTheParameter()
    {
        var cases = new (TensorView<float> View, string Fragment)[]
        {
            (TensorView<float>.Create(new float[4], 4), "has rank 1; a matrix is a rank-2 view"),
            (TensorView<float>.Create(new float[8], 2, 2, 2), "has rank 3"),
            (View([3, 3], [16, 2], 64), "it has no unit stride"),
            (View([3, 3], [1, 1], 5), "its rows overlap (row stride 1 < 3 columns)"),
            (View([4, 3], [0, 1], 3), "its rows overlap (row stride 0 < 3 columns)"),
            (View([4, 1], [0, 1], 1), "its rows overlap (row stride 0 < 1 columns)"),
            (View([3, 4], [1, 2], 12), "its columns overlap (column stride 2 < 3 rows)"),
            (View([1, 4], [1, 0], 1), "its columns overlap (column stride 0 < 1 rows)"),
        };
        foreach (var (view, fragment) in cases)
        {
            var error = Assert.Throws<ArgumentException>(() => CblasMatrixLayout.Of(view));
            Assert.Equal("view", error.ParamName);
            Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
        }

        var named = Assert.Throws<ArgumentException>(() => CblasMatrixLayout.Of(cases[2].View, "weights"));
        Assert.Equal("weights", named.ParamName);
        Assert.StartsWith("weights ", named.Message, StringComparison.Ordinal);
        TensorView<double> missing = null!;
        Assert.Equal("missing", Assert.Throws<ArgumentNullException>(() => CblasMatrixLayout.Of(missing)).ParamName);
    }

    private static TensorView<float> View(int[] lengths, long[] strides, int memory) =>
        new(new float[memory], new TensorShape(lengths, strides, 0));
}
