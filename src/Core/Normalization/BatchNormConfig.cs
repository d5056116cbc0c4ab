using System.Globalization;
using BnNative.Moments;
using BnNative.Tensors;

namespace BnNative.Normalization;

/// <summary>
/// Batch normalization settings, immutable, with tensorpack's defaults (SPEC §4): momentum 0.9 (TF convention: the
/// weight of the old value), epsilon 1e-5, center and scale on, channels_last, axis resolved from the rank, EMA update
/// "default" (= collection), moving variance fed the unbiased estimate for rank ≥ 3 and the biased one for rank 2.
/// Every property is validated when it is set; the message names the property and the value.
/// </summary>
public sealed record BatchNormConfig
{
    private readonly double _momentum = 0.9;
    private readonly double _epsilon = 1e-5;
    private readonly EmaUpdate _emaUpdate = EmaUpdate.Collection;
    private readonly EmaAverage _emaAverage = EmaAverage.Exponential;
    private readonly DataFormat _dataFormat = DataFormat.ChannelsLast;
    private readonly VarianceEstimator? _movingVariance;
    private readonly MomentsBackend _moments = MomentsBackend.Auto;
    private readonly int? _threads;
    private readonly int? _virtualBatchSize;
    private readonly GhostEmaSource _ghostEma = GhostEmaSource.FirstChunk;

    /// <summary>tensorpack's defaults (the same as <c>new BatchNormConfig()</c>).</summary>
    public static BatchNormConfig Tensorpack { get; } = new();

    /// <summary>
    /// PyTorch's BatchNorm: momentum 0.9 in TF terms (PyTorch's 0.1), epsilon 1e-5, channels_first, the unbiased
    /// variance fed to the EMA, updated in the step (<see cref="EmaUpdate.Internal"/>).
    /// </summary>
    public static BatchNormConfig PyTorch { get; } = new()
    {
        DataFormat = DataFormat.ChannelsFirst,
        MovingVariance = VarianceEstimator.Unbiased,
        EmaUpdate = EmaUpdate.Internal,
    };

    /// <summary>Keras' BatchNormalization: momentum 0.99, epsilon 1e-3, channels_last, unbiased moving variance, internal update.</summary>
    public static BatchNormConfig Keras { get; } = new()
    {
        Momentum = 0.99,
        Epsilon = 1e-3,
        MovingVariance = VarianceEstimator.Unbiased,
        EmaUpdate = EmaUpdate.Internal,
    };

    /// <summary>Flax's BatchNorm: momentum 0.99, epsilon 1e-5, channels_last, biased moving variance, internal update.</summary>
    public static BatchNormConfig Flax { get; } = new()
    {
        Momentum = 0.99,
        MovingVariance = VarianceEstimator.Biased,
        EmaUpdate = EmaUpdate.Internal,
    };

    /// <summary>Weight of the old value in the EMA, in [0, 1]. Default 0.9.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Outside [0, 1] or NaN.</exception>
    public double Momentum
    {
        get => _momentum;
        init => _momentum = value is >= 0 and <= 1
            ? value
            : throw new ArgumentOutOfRangeException(
                nameof(Momentum), value, string.Create(CultureInfo.InvariantCulture, $"Momentum must be in [0, 1] (the weight of the old value); got {value}."));
    }

    /// <summary>Added to the variance before the square root, ≥ 0 and finite. Default 1e-5.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative, infinite or NaN.</exception>
    public double Epsilon
    {
        get => _epsilon;
        init => _epsilon = value >= 0 && double.IsFinite(value)
            ? value
            : throw new ArgumentOutOfRangeException(
                nameof(Epsilon), value, string.Create(CultureInfo.InvariantCulture, $"Epsilon must be finite and ≥ 0; got {value}."));
    }

    /// <summary>Learn and add a per-channel offset beta. When false, beta is 0 and gets no gradient. Default true.</summary>
    public bool Center { get; init; } = true;

    /// <summary>Learn and multiply by a per-channel gamma. When false, gamma is 1 and gets no gradient. Default true.</summary>
    public bool Scale { get; init; } = true;

    /// <summary>Where the channel axis is when <see cref="Axis"/> is null. Default channels_last.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a defined value.</exception>
    public DataFormat DataFormat
    {
        get => _dataFormat;
        init => _dataFormat = Enum.IsDefined(value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(DataFormat), value, "DataFormat must be ChannelsLast or ChannelsFirst.");
    }

    /// <summary>An explicit channel axis (negative counts from the end), or null for the data format's default.</summary>
    public int? Axis { get; init; }

    /// <summary>When the moving-statistics update takes effect. Default <see cref="EmaUpdate.Collection"/> (tensorpack's "default").</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a defined value.</exception>
    public EmaUpdate EmaUpdate
    {
        get => _emaUpdate;
        init => _emaUpdate = Enum.IsDefined(value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(EmaUpdate), value, "EmaUpdate must be Collection, Internal or Skip.");
    }

    /// <summary>How the moving statistics average the batch statistics. Default <see cref="EmaAverage.Exponential"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a defined value.</exception>
    public EmaAverage EmaAverage
    {
        get => _emaAverage;
        init => _emaAverage = Enum.IsDefined(value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(EmaAverage), value, "EmaAverage must be Exponential, Cumulative or ZeroDebiased.");
    }

    /// <summary>
    /// The variance estimate fed to the moving variance, or null for tensorpack's rule: unbiased for rank ≥ 3 (its
    /// fused 4-D path), biased for rank 2. Normalization itself always uses the biased batch variance.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a defined value.</exception>
    public VarianceEstimator? MovingVariance
    {
        get => _movingVariance;
        init => _movingVariance = value is null || Enum.IsDefined(value.Value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(MovingVariance), value, "MovingVariance must be Biased, Unbiased or null.");
    }

    /// <summary>Reject inputs holding NaN or ±∞ before computing anything. Default false.</summary>
    public bool CheckFinite { get; init; }

    /// <summary>
    /// Let a training step propagate non-finite statistics silently, as PyTorch and TensorFlow do: a NaN or ±∞ in the
    /// input, or values whose variance overflows the element type, then give that channel a NaN/±∞ (or all-zero)
    /// output and poison its moving statistics. Default false: such a step throws
    /// <see cref="NonFiniteStatisticsException"/> naming the channels and writes nothing. The default check reads only
    /// the C per-channel statistics and the next state (no pass over the data, unlike <see cref="CheckFinite"/>).
    /// </summary>
    public bool AllowNonFinite { get; init; }

    /// <summary>The backend that computes the batch moments. Default <see cref="MomentsBackend.Auto"/>.</summary>
    /// <exception cref="ArgumentNullException">Null.</exception>
    public MomentsBackend Moments
    {
        get => _moments;
        init => _moments = value ?? throw new ArgumentNullException(nameof(Moments));
    }

    /// <summary>
    /// Threads for every pass of a step (moments, normalization, gradient sums, input gradient), ≥ 1; null uses this
    /// process's share of the cores: the logical cores divided by the Open MPI ranks on this node
    /// (<c>OMPI_COMM_WORLD_LOCAL_SIZE</c>), so ranks sharing a machine do not oversubscribe it. Work is cut into chunks
    /// that depend only on the shape, so results do not depend on it.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Below 1.</exception>
    public int? Threads
    {
        get => _threads;
        init => _threads = value is null or >= 1
            ? value
            : throw new ArgumentOutOfRangeException(nameof(Threads), value, "Threads must be ≥ 1 (or null for every core).");
    }

    /// <summary>The thread count the passes use: <see cref="Threads"/>, or this process's share of the cores.</summary>
    internal int WorkerThreads => _threads ?? Kernels.ThreadBudget.Default;

    /// <summary>
    /// Ghost batch norm (SPEC §6): in training, the batch (axis 0) is split into contiguous chunks of this many samples,
    /// each normalized with its own statistics; the batch size must be a multiple of it. Null (the default) normalizes
    /// the whole batch at once. Inference ignores it, so any batch size works there.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Below 1.</exception>
    public int? VirtualBatchSize
    {
        get => _virtualBatchSize;
        init => _virtualBatchSize = value is null or >= 1
            ? value
            : throw new ArgumentOutOfRangeException(
                nameof(VirtualBatchSize), value, string.Create(CultureInfo.InvariantCulture, $"VirtualBatchSize must be ≥ 1 (or null for no ghost batches); got {value}."));
    }

    /// <summary>Which chunk statistics feed the moving averages under ghost batch norm. Default <see cref="GhostEmaSource.FirstChunk"/> (tensorpack).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a defined value.</exception>
    public GhostEmaSource GhostEma
    {
        get => _ghostEma;
        init => _ghostEma = Enum.IsDefined(value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(GhostEma), value, "GhostEma must be FirstChunk, MeanOfChunks or AllChunks.");
    }

    /// <summary>
    /// Batch renormalization (SPEC §8), or null (the default) for plain batch norm. With it, the state carries a
    /// <see cref="BatchRenormState{T}"/> and the moving variance is derived from the moving standard deviation, so
    /// <see cref="MovingVariance"/> does not apply.
    /// </summary>
    public BatchRenorm? Renorm { get; init; }

    /// <summary>Converts PyTorch's momentum (the weight of the new batch) to the TF convention used here: 1 − m.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="pyTorchMomentum"/> is outside [0, 1].</exception>
    public static double FromPyTorchMomentum(double pyTorchMomentum) =>
        pyTorchMomentum is >= 0 and <= 1
            ? 1 - pyTorchMomentum
            : throw new ArgumentOutOfRangeException(nameof(pyTorchMomentum), pyTorchMomentum, "PyTorch's momentum must be in [0, 1].");

    /// <summary>The estimator fed to the moving variance for a tensor of rank <paramref name="rank"/>.</summary>
    public VarianceEstimator MovingVarianceFor(int rank) =>
        MovingVariance ?? (rank >= 3 ? VarianceEstimator.Unbiased : VarianceEstimator.Biased);
}
