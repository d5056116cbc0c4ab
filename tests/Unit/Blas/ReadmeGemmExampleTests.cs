using BnNative.Native.Blas;
using BnNative.Tensors;

namespace BnNative.Tests.Blas;

/// <summary>
/// The README's example "Matrix products over views (<c>BnNative.Native</c>)", kept compiling and true: its code as
/// written there, with random inputs where it has zeros, then both products against a plain double-precision loop and
/// the layout it reads off the transposed view.
/// </summary>
[Collection(NativeBlasCollection.Name)]
public sealed class ReadmeGemmExampleTests
{
    [BlasFact(BlasVendor.OpenBlas)]
    public void GemmOverViewsExampleHolds()
    {
        CblasLibrary blas = CblasLibrary.Load("openblas");             // or null: BNNATIVE_BLAS, then the first that loads
        var a = TensorView<float>.Create(Values(64 * 16, seed: 1), 64, 16);   // [batch, in]
        var w = TensorView<float>.Create(Values(32 * 16, seed: 2), 32, 16);   // [out, in], row-major
        var y = TensorView<float>.Create(Values(64 * 32, seed: 3), 64, 32);   // [batch, out]

        blas.Gemm(1f, a, w.Permute(1, 0), 0f, y);                      // y = a·wᵀ: the transposed view is CblasTrans, ldb = 16
        var dw = TensorView<float>.Create(Values(32 * 16, seed: 4), 32, 16);
        blas.Gemm(1f, y.Permute(1, 0), a, 0f, dw);                      // dw = yᵀ·a, no copies
        CblasMatrixLayout layout = CblasMatrixLayout.Of(w.Permute(1, 0)); // (Transposed: true, LeadingDimension: 16)

        Assert.Equal(BlasVendor.OpenBlas, blas.Vendor);
        AssertProduct(a, w.Permute(1, 0), y, "y = a·wᵀ");
        AssertProduct(y.Permute(1, 0), a, dw, "dw = yᵀ·a");
        Assert.Equal(new CblasMatrixLayout(Transposed: true, LeadingDimension: 16), layout);
    }

    /// <summary>Values uniform in [−1, 1); the outputs start random too, so a product that is not written shows.</summary>
    private static float[] Values(int count, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2) - 1))];
    }

    /// <summary>
    /// Asserts product = left·right element by element against a double loop over the same float inputs: a sum of k
    /// float products rounded in any order is within (k + 2)·2⁻²⁴·Σ|terms| of the exact value, and the double loop well
    /// inside that, hence 2·(k + 2)·2⁻²⁴·Σ|terms|.
    /// </summary>
    private static void AssertProduct(TensorView<float> left, TensorView<float> right, TensorView<float> product, string name)
    {
        int k = left.Lengths[1];
        Assert.Equal([left.Lengths[0], right.Lengths[1]], product.Lengths.ToArray());
        for (int i = 0; i < product.Lengths[0]; i++)
        {
            for (int j = 0; j < product.Lengths[1]; j++)
            {
                double exact = 0;
                double magnitude = 0;
                for (int p = 0; p < k; p++)
                {
                    double term = (double)left[i, p] * right[p, j];
                    exact += term;
                    magnitude += Math.Abs(term);
                }

                double bound = 2 * (k + 2) * Math.ScaleB(1, -24) * magnitude;
                Assert.True(
                    Math.Abs(product[i, j] - exact) <= bound,
                    $"{name}: [{i}, {j}] = {product[i, j]:R}, expected {exact:R} (bound {bound:E2}).");
            }
        }
    }
}
