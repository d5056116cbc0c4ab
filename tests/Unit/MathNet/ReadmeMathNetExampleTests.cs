using System.Runtime.InteropServices;
using BnNative.MathNet;
using BnNative.Moments;
using BnNative.Native.Blas;
using BnNative.Normalization;
using BnNative.Tensors;
using BnNative.Tests.Blas;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Providers.LinearAlgebra;
using MathNet.Numerics.Statistics;
using static BnNative.Tests.MathNet.RoundingBounds;

namespace BnNative.Tests.MathNet;

/// <summary>
/// The README's section "MathNet.Numerics interop (<c>BnNative.MathNet</c>)", kept compiling and true: each code block as
/// written there (random inputs where it has zeros, seeded), then what the text says it does. In the global-provider
/// collection because the provider example installs MathNet's process-wide provider; that test restores the previous one.
/// </summary>
[Collection(GlobalProviderCollection.Name)]
public sealed class ReadmeMathNetExampleTests
{
    private static readonly double FloatRoundoff = UnitRoundoff<float>();

    /// <summary>"Views over MathNet storage": the dense views write through, the sparse matrix is copied.</summary>
    [Fact]
    public void ViewsExampleHolds()
    {
        Matrix<float> m = Matrix<float>.Build.Dense(64, 8);   // 64 samples × 8 channels
        TensorView<float> view = m.AsTensorView();            // no copy: strides [1, 64] over m's own array
        view[3, 2] = 1.5f;                                     // m[3, 2] is now 1.5

        Vector<double> vector = Vector<double>.Build.Dense(8);
        TensorView<double> v = vector.AsTensorView();                                 // rank 1, no copy
        Matrix<double> sparse = Matrix<double>.Build.Sparse(64, 8);
        sparse[10, 3] = 4;
        TensorView<double> c = sparse.CopyToTensorView();                             // copies, as its name says

        Assert.Equal(1.5f, m[3, 2]);
        Assert.Equal(1, m.Enumerate().Count(value => value != 0));
        Assert.Equal([64, 8], view.Lengths.ToArray());
        Assert.Equal([1L, 64L], view.Shape.Strides.ToArray());
        Assert.True(MemoryMarshal.TryGetArray<float>(view.Memory, out var segment));
        Assert.Same(m.AsColumnMajorArray(), segment.Array);

        Assert.Equal(1, v.Rank);
        v[5] = 2.5;
        Assert.Equal(2.5, vector[5]);

        Assert.Equal([64, 8], c.Lengths.ToArray());
        Assert.Equal([1L, 64L], c.Shape.Strides.ToArray());
        Assert.Equal(4, c[10, 3]);
        c[10, 3] = -1;
        sparse[0, 0] = 7;
        Assert.Equal(4, sparse[10, 3]);
        Assert.Equal(0, c[0, 0]);

        var refused = Assert.Throws<ArgumentException>(() => sparse.AsTensorView());
        Assert.Equal("matrix", refused.ParamName);
        Assert.Contains("CopyToTensorView()", refused.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// "Training and inference on a <c>Matrix&lt;T&gt;</c>": y is x normalized per column with the batch statistics
    /// (which agree with MathNet's), in the storage of <c>step.Step.Output</c>; the committed state is Keras' EMA update
    /// of them; inference uses it, into a new matrix and into y. Each float result is checked against a double loop
    /// within the rounding it can do.
    /// </summary>
    [Fact]
    public void MatrixTrainAndInferExampleHolds()
    {
        Matrix<float> x = Matrix<float>.Build.Random(64, 8, 17);
        var state = BatchNormState<float>.Init(channels: 8);
        var config = BatchNormConfig.Keras;                     // any config; null means tensorpack's defaults

        MatrixTrainResult<float> step = MatrixBatchNorm.Train(x, state, config);
        Matrix<float> y = step.Output;                          // 64×8, the same storage as step.Step.Output
        state = step.CommittedState;                            // the EMA update, whatever config.EmaUpdate is

        Matrix<float> inferred = MatrixBatchNorm.Infer(x, state, config);
        var trained = y.Clone();
        MatrixBatchNorm.Infer(x, state, config, destination: y); // into an existing dense matrix

        Assert.Equal(64, trained.RowCount);
        Assert.Equal(8, trained.ColumnCount);
        var batch = step.Step.BatchMoments;
        for (int j = 0; j < 8; j++)
        {
            double[] column = [.. x.Column(j).Select(value => (double)value)];
            AssertBatchMoments(column, batch.Mean[j], batch.Variance()[j], j);
            AssertNormalized(x, trained, j, batch.Mean[j], batch.Variance()[j], config.Epsilon, "training");
            AssertEma(state.MovingMean[j], 0, batch.Mean[j], config.Momentum, $"moving mean of column {j}");
            AssertEma(state.MovingVariance[j], 1, batch.Variance(VarianceEstimator.Unbiased)[j], config.Momentum, $"moving variance of column {j}");
            AssertNormalized(x, inferred, j, state.MovingMean[j], state.MovingVariance[j], config.Epsilon, "inference");
        }

        Assert.Equal(1L, state.Step);
        Assert.Equal(step.NextState, state);
        Assert.Equal(inferred, y);
        Assert.Same(y, step.Output);
        Assert.Equal(inferred[3, 2], step.Step.Output[3, 2]);
        Assert.True(MemoryMarshal.TryGetArray<float>(step.Step.Output.Memory, out var segment));
        Assert.Same(y.AsColumnMajorArray(), segment.Array);
    }

    /// <summary>"State from MathNet vectors": both directions copy, and the vectors come back as they went in.</summary>
    [Fact]
    public void StateVectorsExampleHolds()
    {
        var state = BatchNormStateVectors.FromVectors(
            movingMean: Vector<double>.Build.Dense(8),
            movingVariance: Vector<double>.Build.Dense(8, 1.0),
            gamma: Vector<double>.Build.Dense(8, 1.0),
            beta: Vector<double>.Build.Dense(8),
            step: 0);

        Vector<double> variance = state.MovingVariance.ToMathNetVector();
        var withGamma = state with { Gamma = Vector<double>.Build.Dense(8, 2.0).ToReadOnlyVector() };

        Assert.Equal(BatchNormState<double>.Init(8), state);
        Assert.Equal(Vector<double>.Build.Dense(8, 1.0), variance);
        variance[0] = 5;
        Assert.Equal(1, state.MovingVariance[0]);
        Assert.Equal(Vector<double>.Build.Dense(8, 2.0), withGamma.Gamma.ToMathNetVector());
        Assert.Equal(state with { Gamma = withGamma.Gamma }, withGamma);
        Assert.NotEqual(state, withGamma);

        var vectors = Enumerable.Range(0, 4).Select(i => Vector<double>.Build.Random(8, 30 + i).PointwiseAbs()).ToArray();
        var random = BatchNormStateVectors.FromVectors(vectors[0], vectors[1], vectors[2], vectors[3], step: 9);
        Assert.Equal(vectors[0], random.MovingMean.ToMathNetVector());
        Assert.Equal(vectors[1], random.MovingVariance.ToMathNetVector());
        Assert.Equal(vectors[2], random.Gamma.ToMathNetVector());
        Assert.Equal(vectors[3], random.Beta.ToMathNetVector());
        Assert.Equal(9L, random.Step);
        vectors[0][0] = -3;
        Assert.NotEqual(-3, random.MovingMean[0]);
    }

    /// <summary>
    /// "The CBLAS linear-algebra provider": <c>Use()</c> installs it and MathNet's <c>*</c> runs on it, equal to the
    /// managed product within the float64 bound; <c>TryUse</c> succeeds here; <c>UseManaged</c> goes back; the instance
    /// multiplies without touching the global provider.
    /// </summary>
    [BlasFact(BlasVendor.OpenBlas)]
    public void CblasProviderExampleHolds()
    {
        var previous = LinearAlgebraControl.Provider;
        try
        {
            var left = Matrix<double>.Build.Random(1024, 1024, 21);
            var right = Matrix<double>.Build.Random(1024, 1024, 22);

            // Process-wide: every MathNet float/double multiply, axpy, scale and dot from now on.
            BnNativeLinearAlgebra.Use();                 // or Use("openblas"), Use("blis"), Use("/path/to/libcblas.so")
            var product = left * right;

            Assert.IsType<CblasLinearAlgebraProvider>(LinearAlgebraControl.Provider);
            AssertManagedProduct(left, right, product);

            LinearAlgebraControl.UseManaged();           // not in the README: so that what TryUse installs shows
            Assert.True(BnNativeLinearAlgebra.TryUse(out string reason), reason);
            Assert.Equal(string.Empty, reason);
            Assert.IsType<CblasLinearAlgebraProvider>(LinearAlgebraControl.Provider);

            LinearAlgebraControl.UseManaged();           // back to MathNet's managed provider
            Assert.Same(ManagedLinearAlgebraProvider.Instance, LinearAlgebraControl.Provider);

            // As an instance, without touching the global provider:
            CblasLinearAlgebraProvider blas = BnNativeLinearAlgebra.Create("openblas");
            double[] a = Random<double>(6, 23), b = Random<double>(6, 24), c = Random<double>(4, 25);
            blas.MatrixMultiplyWithUpdate(Transpose.DontTranspose, Transpose.DontTranspose, 1.0, a, 2, 3, b, 3, 2, 0.0, c);

            Assert.Equal(BlasVendor.OpenBlas, blas.Library.Vendor);
            Assert.Same(ManagedLinearAlgebraProvider.Instance, LinearAlgebraControl.Provider);
            double[] expected = new double[4];
            ManagedLinearAlgebraProvider.Instance.MatrixMultiply(a, 2, 3, b, 3, 2, expected);
            AssertGemmClose(Transpose.DontTranspose, Transpose.DontTranspose, 1.0, a, 2, 3, b, 3, 2, 0.0, new double[4], expected, c);
        }
        finally
        {
            LinearAlgebraControl.Provider = previous;
        }
    }

    /// <summary>"Windows x64: MathNet's MKL provider for the multiply", as far as it runs off Windows x64: the refusal.</summary>
    [BlasFact(BlasVendor.OpenBlas)]
    public void WindowsMklExampleRefusesOffWindowsX64()
    {
        Assert.False(MathNetMklProvider.IsSupportedPlatform, "This test describes a platform without MathNet's MKL provider.");
        var previous = LinearAlgebraControl.Provider;
        try
        {
            var refused = Assert.Throws<NativeBackendUnavailableException>(() => BnNativeLinearAlgebra.Use(multiply: MatrixMultiplyBackend.MathNetMkl));
            Assert.Same(previous, LinearAlgebraControl.Provider);

            // or, to check first:
            Assert.False(MathNetMklProvider.TryCreate(out var mkl, out string why));
            Assert.Null(mkl);
            Assert.StartsWith("MathNet's MKL provider runs on Windows x64 only (", why, StringComparison.Ordinal);
            Assert.Contains($"; this process is {RuntimeInformation.RuntimeIdentifier} (", why, StringComparison.Ordinal);
            Assert.EndsWith(
                "Use the CBLAS matrix multiply instead (MatrixMultiplyBackend.Cblas, the default), which runs on MKL too when BNNATIVE_BLAS=mkl finds Intel's library.",
                why,
                StringComparison.Ordinal);
            Assert.Contains(why, refused.Message, StringComparison.Ordinal);
        }
        finally
        {
            LinearAlgebraControl.Provider = previous;
        }
    }

    /// <summary>
    /// Asserts an n×n double product equals the managed provider's within 2·γ_(n+2)·Σ|terms| (both sum n products, in
    /// different orders; γ_k ≈ k·2⁻⁵³), Σ|terms| being |left|·|right|, also from the managed provider: a sum of non-negative
    /// terms, off by far less than the bound. Two managed products and an O(n²) comparison, where
    /// <see cref="RoundingBounds.AssertGemmClose{T}"/>'s triple loop would take seconds at n = 1024.
    /// </summary>
    private static void AssertManagedProduct(Matrix<double> left, Matrix<double> right, Matrix<double> product)
    {
        int n = left.RowCount;
        double[] expected = new double[n * n];
        double[] magnitude = new double[n * n];
        var managed = ManagedLinearAlgebraProvider.Instance;
        managed.MatrixMultiply(left.AsColumnMajorArray(), n, n, right.AsColumnMajorArray(), n, n, expected);
        managed.MatrixMultiply(left.PointwiseAbs().AsColumnMajorArray(), n, n, right.PointwiseAbs().AsColumnMajorArray(), n, n, magnitude);
        AssertClose(expected, product.AsColumnMajorArray(), magnitude, 2 * (n + 2));
    }

    /// <summary>
    /// Asserts a column's batch mean and biased variance against MathNet's double statistics of the same float values,
    /// within the bounds of BnNative.Testing's MomentTolerance for float input: the fast backends sum deviations from a
    /// shift in float chains of at most 64 elements (relative error a = 64·2⁻²⁴) before folding into double,
    /// so |Δmean| ≤ 2a·D and |Δvariance| ≤ 16a·variance + δ(2D + δ), D = max|x − mean|, plus the double sums' own
    /// rounding δ = n·2⁻⁴⁹·max|x|.
    /// </summary>
    private static void AssertBatchMoments(double[] column, double actualMean, double actualVariance, int j)
    {
        double mean = column.Mean();
        double variance = column.PopulationVariance();
        double accumulation = 64 * FloatRoundoff;
        double deviation = column.Max(value => Math.Abs(value - mean));
        double rounding = column.Length * Math.ScaleB(1, -49) * column.Max(Math.Abs);
        double meanBound = (2 * accumulation * deviation) + rounding;
        double varianceBound = (16 * accumulation * variance) + (rounding * ((2 * deviation) + rounding));
        Assert.True(Math.Abs(actualMean - mean) <= meanBound, $"batch mean of column {j}: got {actualMean:R}, MathNet {mean:R} (bound {meanBound:E2}).");
        Assert.True(
            Math.Abs(actualVariance - variance) <= varianceBound,
            $"batch variance of column {j}: got {actualVariance:R}, MathNet {variance:R} (bound {varianceBound:E2}).");
    }

    /// <summary>
    /// Asserts column <paramref name="j"/> of <paramref name="y"/> is (x − mean)/sqrt(variance + eps) (gamma 1, beta 0)
    /// within 8u of the magnitudes involved, u = 2⁻²⁴: the element-wise pass rounds a handful of times in float (the scale,
    /// x − mean, the product), each by at most u·(|x| + |mean|)·scale, the statistics given being the ones it used.
    /// </summary>
    private static void AssertNormalized(Matrix<float> x, Matrix<float> y, int j, double mean, double variance, double epsilon, string mode)
    {
        double scale = 1 / Math.Sqrt(variance + epsilon);
        for (int i = 0; i < x.RowCount; i++)
        {
            double expected = (x[i, j] - mean) * scale;
            double bound = 8 * FloatRoundoff * (Math.Abs(x[i, j]) + Math.Abs(mean)) * scale;
            Assert.True(Math.Abs(y[i, j] - expected) <= bound, $"{mode} ({i}, {j}): got {y[i, j]:R}, expected {expected:R} (bound {bound:E2}).");
        }
    }

    /// <summary>
    /// Asserts an exponential moving average: momentum·old + (1 − momentum)·batch, computed in double and rounded once to
    /// float (within 4u of the terms' magnitudes).
    /// </summary>
    private static void AssertEma(float actual, double old, double batch, double momentum, string name)
    {
        double expected = (momentum * old) + ((1 - momentum) * batch);
        double bound = 4 * FloatRoundoff * ((momentum * Math.Abs(old)) + ((1 - momentum) * Math.Abs(batch)));
        Assert.True(Math.Abs(actual - expected) <= bound, $"{name}: got {actual:R}, expected {expected:R} (bound {bound:E2}).");
    }
}
