using System.Numerics;
using BnNative.Collections;
using BnNative.Tensors;

namespace BnNative.Moments;

/// <summary>
/// Computes per-channel <see cref="BatchMoments"/> of a tensor view. Every backend validates its input the
/// same way before it reads any data; results of one backend are bitwise identical whatever the thread count.
/// </summary>
/// <remarks>
/// Managed backends: <see cref="Reference"/> (double, two-pass, plain loops: the oracle), <see cref="Simd"/>
/// (vectorized, float accumulated in double; <see cref="Auto"/> names it as the fastest backend measured). Native backends (CBLAS over OpenBLAS, MKL, BLIS or reference BLAS) live
/// in the BnNative.Native assembly and are found with <see cref="Cblas"/> / <see cref="TryCblas"/>.
/// </remarks>
public abstract class MomentsBackend
{
    /// <summary>The double-precision two-pass oracle.</summary>
    public static MomentsBackend Reference { get; } = new ReferenceMoments();

    /// <summary>The managed vectorized backend.</summary>
    public static MomentsBackend Simd { get; } = new SimdMoments();

    /// <summary>
    /// The fastest backend measured on every shape of the README's performance table: <see cref="Simd"/> (the CBLAS
    /// backends copy each tile before reducing it and never beat it). The same instance; never fails for lack of a
    /// native library.
    /// </summary>
    public static MomentsBackend Auto => Simd;

    /// <summary>Short name, e.g. <c>simd</c> or <c>cblas:openblas</c>.</summary>
    public abstract string Name { get; }

    /// <summary>
    /// The native CBLAS backend over <paramref name="library"/> (a path, or mkl | openblas | blis | reference;
    /// null: the <c>BNNATIVE_BLAS</c> environment variable, else the first library that loads).
    /// </summary>
    /// <exception cref="NativeBackendUnavailableException">No native provider is installed or the library does not
    /// load; the message lists what was tried and what to install.</exception>
    public static MomentsBackend Cblas(string? library = null) =>
        TryCblas(library, out var backend, out string failure)
            ? backend
            : throw new NativeBackendUnavailableException(failure);

    /// <summary>Like <see cref="Cblas"/> but returns false with the reason instead of throwing.</summary>
    public static bool TryCblas(string? library, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out MomentsBackend? backend, out string failure) =>
        NativeMomentsProviders.TryCreate(library, out backend, out failure);

    /// <summary>
    /// A backend by name: <c>reference</c>, <c>simd</c>, <c>auto</c>, <c>cblas</c> (default library) or
    /// <c>cblas:LIB</c> with LIB a library name or path (case-insensitive).
    /// </summary>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    /// <exception cref="NativeBackendUnavailableException">A native backend was named but cannot load.</exception>
    public static MomentsBackend Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string trimmed = name.Trim();
        switch (trimmed.ToLowerInvariant())
        {
            case "reference":
                return Reference;
            case "simd":
                return Simd;
            case "auto":
                return Auto;
            case "cblas":
                return Cblas();
        }

        if (trimmed.StartsWith("cblas:", StringComparison.OrdinalIgnoreCase))
        {
            return Cblas(trimmed["cblas:".Length..]);
        }

        throw new ArgumentException(
            $"Unknown moments backend '{name}'; expected reference, simd, auto, cblas or cblas:LIBRARY.", nameof(name));
    }

    /// <summary>
    /// Per-channel moments of <paramref name="x"/> over every axis except <paramref name="channelAxis"/>.
    /// </summary>
    /// <param name="x">The tensor: float or double, rank ≥ 2, any strides.</param>
    /// <param name="channelAxis">The channel axis, in [−rank, rank−1] (negative counts from the end). Use
    /// <see cref="ChannelAxis.Resolve"/> to get tensorpack's default for a data format.</param>
    /// <param name="threads">Worker threads, ≥ 1; null uses this process's share of the cores (the logical cores divided
    /// by the Open MPI ranks on this node). The result does not depend on it.</param>
    /// <exception cref="ArgumentNullException"><paramref name="x"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="x"/> has rank below 2, no channels, or an empty reduction (n = 0).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="channelAxis"/> or <paramref name="threads"/> is out of range.</exception>
    public BatchMoments Compute<T>(TensorView<T> x, int channelAxis, int? threads = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int axis = Validate(x, channelAxis);
        int workers = threads ?? Kernels.ThreadBudget.Default;
        if (workers < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(threads), threads, "threads must be ≥ 1.");
        }

        int channels = x.Lengths[axis];
        var mean = new double[channels];
        var m2 = new double[channels];
        long count = ComputeCore(x, axis, workers, mean, m2);
        return new BatchMoments(count, ReadOnlyVector<double>.Adopt(mean), ReadOnlyVector<double>.Adopt(m2));
    }

    /// <summary>
    /// The moments of an input the caller has validated (as <see cref="Compute{T}"/> does), written into caller-owned
    /// spans: the allocation-free form that <see cref="Normalization.BatchNormLayer{T}"/> uses.
    /// </summary>
    /// <returns>n, the elements per channel.</returns>
    internal long ComputeInto<T>(TensorView<T> x, int channelAxis, int threads, Span<double> mean, Span<double> m2)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ComputeCore(x, channelAxis, threads, mean, m2);

    /// <summary>Computes the moments of an input that <see cref="Compute{T}"/> has validated.</summary>
    /// <param name="x">Rank ≥ 2, at least one channel and one element per channel.</param>
    /// <param name="channelAxis">Resolved to [0, rank).</param>
    /// <param name="threads">≥ 1.</param>
    /// <param name="mean">Receives the per-channel mean; its length is the channel count.</param>
    /// <param name="m2">Receives the per-channel sum of squared deviations from the mean (≥ 0); its length is the channel count.</param>
    /// <returns>n, the number of elements per channel.</returns>
    protected abstract long ComputeCore<T>(TensorView<T> x, int channelAxis, int threads, Span<double> mean, Span<double> m2)
        where T : unmanaged, IFloatingPointIeee754<T>;

    /// <inheritdoc />
    public override string ToString() => Name;

    private static int Validate<T>(TensorView<T> x, int channelAxis)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank < 2)
        {
            throw new ArgumentException(
                $"Batch moments need a tensor of rank ≥ 2 (a batch axis and a channel axis); x has rank {x.Rank}.", nameof(x));
        }

        if (channelAxis < -x.Rank || channelAxis >= x.Rank)
        {
            throw new ArgumentOutOfRangeException(
                nameof(channelAxis), channelAxis, $"channelAxis {channelAxis} is outside [{-x.Rank}, {x.Rank - 1}] for a tensor of rank {x.Rank}.");
        }

        int axis = channelAxis < 0 ? channelAxis + x.Rank : channelAxis;
        if (x.Lengths[axis] == 0)
        {
            throw new ArgumentException($"x has no channels: axis {axis} has length 0.", nameof(x));
        }

        if (x.ElementCount == 0)
        {
            throw new ArgumentException(
                $"Empty reduction: x {x.Shape} has n = 0 elements per channel along the reduction axes.", nameof(x));
        }

        return axis;
    }
}
