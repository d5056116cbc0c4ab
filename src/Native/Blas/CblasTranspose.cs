namespace BnNative.Native.Blas;

/// <summary>CBLAS <c>enum CBLAS_TRANSPOSE</c>: whether a matrix argument is used as stored or transposed.</summary>
internal enum CblasTranspose
{
    /// <summary><c>CblasNoTrans</c>.</summary>
    NoTrans = 111,

    /// <summary><c>CblasTrans</c>.</summary>
    Trans = 112,
}
