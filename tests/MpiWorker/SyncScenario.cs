using System.Globalization;
using System.Numerics;
using BnNative.Normalization;
using BnNative.Tensors;

namespace BnNative.MpiWorker;

/// <summary>
/// One synchronized-batch-norm case shared by the MPI worker (which runs its rank's shard) and the tests (which run
/// the whole batch in one process): the full input and output gradient are generated from the seed, and rank r holds
/// rows [sum of Rows[..r], + Rows[r]) of axis 0.
/// </summary>
/// <param name="Rows">Samples per rank (0 allowed).</param>
/// <param name="Channels">Channel count.</param>
/// <param name="TensorRank">2 ([N, C], channels last) or 4 ([N, C, 3, 2], channels first).</param>
/// <param name="Seed">Seed of the data.</param>
/// <param name="Renorm">Use batch renormalization (3, 5) with a non-trivial renorm state.</param>
public sealed record SyncScenario(int[] Rows, int Channels, int TensorRank, int Seed, bool Renorm)
{
    /// <summary>Total samples.</summary>
    public int TotalRows => Rows.Sum();

    /// <summary>The config every rank uses.</summary>
    public BatchNormConfig Config => new()
    {
        DataFormat = TensorRank == 4 ? DataFormat.ChannelsFirst : DataFormat.ChannelsLast,
        EmaUpdate = EmaUpdate.Internal,
        Renorm = Renorm ? new BatchRenorm(3, 5) : null,
    };

    /// <summary>Parses the worker's arguments: rows=7,0,3 channels=4 rank=2 seed=1 renorm=0.</summary>
    public static SyncScenario Parse(IReadOnlyDictionary<string, string> args) => new(
        args["rows"].Split(',').Select(r => int.Parse(r, CultureInfo.InvariantCulture)).ToArray(),
        int.Parse(args["channels"], CultureInfo.InvariantCulture),
        int.Parse(args["rank"], CultureInfo.InvariantCulture),
        int.Parse(args["seed"], CultureInfo.InvariantCulture),
        args.TryGetValue("renorm", out var renorm) && renorm == "1");

    /// <summary>The worker's arguments for this scenario.</summary>
    public string Arguments => string.Create(
        CultureInfo.InvariantCulture, $"rows={string.Join(',', Rows)} channels={Channels} rank={TensorRank} seed={Seed} renorm={(Renorm ? 1 : 0)}");

    /// <summary>The full batch's input (shift per channel so float32 statistics are not trivial).</summary>
    public Tensor<T> Input<T>()
        where T : unmanaged, IFloatingPointIeee754<T> => Generate<T>(Seed, 50);

    /// <summary>The full batch's output gradient.</summary>
    public Tensor<T> OutputGradient<T>()
        where T : unmanaged, IFloatingPointIeee754<T> => Generate<T>(Seed + 1000, 0);

    /// <summary>The state every rank starts from.</summary>
    public BatchNormState<T> State<T>()
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new Random(Seed + 7);
        T[] Vector(double center, double spread) =>
            Enumerable.Range(0, Channels).Select(_ => T.CreateTruncating(center + (spread * random.NextDouble()))).ToArray();
        var state = new BatchNormState<T>(
            Collections.ReadOnlyVector.Create<T>(Vector(0, 1)), Collections.ReadOnlyVector.Create<T>(Vector(0.5, 1)),
            Collections.ReadOnlyVector.Create<T>(Vector(0.5, 1)), Collections.ReadOnlyVector.Create<T>(Vector(-0.5, 1)), 3);
        return Renorm
            ? state with
            {
                Renorm = new BatchRenormState<T>(
                    Collections.ReadOnlyVector.Create<T>(Vector(-1, 2)), Collections.ReadOnlyVector.Create<T>(Vector(0.5, 2)),
                    Collections.ReadOnlyVector.Create<T>(Vector(0.5, 1))),
            }
            : state;
    }

    /// <summary>First sample of rank <paramref name="rank"/>'s shard.</summary>
    public int Start(int rank) => Rows.Take(rank).Sum();

    private Tensor<T> Generate<T>(int seed, double shift)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int[] lengths = TensorRank == 4 ? [TotalRows, Channels, 3, 2] : [TotalRows, Channels];
        var random = new Random(seed);
        long count = lengths.Aggregate(1L, (a, b) => a * b);
        var flat = new T[count];
        int inner = TensorRank == 4 ? 6 : 1;
        for (long i = 0; i < count; i++)
        {
            int channel = (int)(i / inner % Channels);
            flat[i] = T.CreateTruncating((shift * (channel + 1)) + ((random.NextDouble() * 4) - 2));
        }

        return Tensor<T>.FromArray(flat, lengths);
    }
}
