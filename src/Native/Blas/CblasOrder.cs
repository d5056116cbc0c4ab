namespace BnNative.Native.Blas;

/// <summary>CBLAS <c>enum CBLAS_ORDER</c>: the storage order of a matrix argument.</summary>
internal enum CblasOrder
{
    /// <summary><c>CblasRowMajor</c>.</summary>
    RowMajor = 101,

    /// <summary><c>CblasColMajor</c>.</summary>
    ColMajor = 102,
}
