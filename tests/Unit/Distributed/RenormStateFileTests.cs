using System.Numerics;
using BnNative.Collections;
using BnNative.IO;
using BnNative.Normalization;
using BnNative.Tensors;
using BnNative.Tests.IO;
using BnNative.Tests.StateFile;

namespace BnNative.Tests.Distributed;

/// <summary>
/// The renorm part of a state file: <c>renorm_mean</c>, <c>renorm_stddev</c>, <c>moving_stddev</c> (TF's names) after
/// the five plain entries, all three or none, every bit kept.
/// </summary>
public sealed class RenormStateFileTests
{
    private static readonly string[] RenormKeys = [BatchNormStateFile.RenormMeanKey, BatchNormStateFile.RenormStddevKey, BatchNormStateFile.MovingStddevKey];

    [Theory]
    [InlineData(1, 0L, 11)]
    [InlineData(7, 3L, 12)]
    [InlineData(300, long.MaxValue, 13)]
    public void FloatRenormStatesRoundTripBitwise(int channels, long step, int seed) => AssertRoundTrip(WithRenorm<float>(channels, step, seed));

    [Theory]
    [InlineData(1, 0L, 14)]
    [InlineData(7, 3L, 15)]
    [InlineData(300, long.MaxValue, 16)]
    public void DoubleRenormStatesRoundTripBitwise(int channels, long step, int seed) => AssertRoundTrip(WithRenorm<double>(channels, step, seed));

    [Fact]
    public void ATrainedRenormStateRoundTrips()
    {
        var config = new BatchNormConfig { Renorm = new BatchRenorm(3, 5), EmaUpdate = EmaUpdate.Internal };
        var x = TensorView<float>.Create(Enumerable.Range(0, 24).Select(i => (float)((i * 0.37) - (i % 5))).ToArray(), 4, 2, 3);
        var state = BatchNorm.Train(x, BatchNormState<float>.Init(3, config), config).NextState;
        using var directory = new TempDirectory();
        string path = directory.File("renorm.npz");

        BatchNormStateFile.Save(path, state);

        Assert.Equal(state, BatchNormStateFile.Load<float>(path));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TheRenormArraysFollowThePlainOnesWithTheStatesDtype(bool isDouble)
    {
        using var directory = new TempDirectory();
        string path = directory.File("state.npz");
        if (isDouble)
        {
            BatchNormStateFile.Save(path, WithRenorm<double>(3, 1, 21));
        }
        else
        {
            BatchNormStateFile.Save(path, WithRenorm<float>(3, 1, 21));
        }

        var entries = NpzFile.Read(path);

        Assert.Equal(["mean/EMA", "variance/EMA", "gamma", "beta", "step", "renorm_mean", "renorm_stddev", "moving_stddev"], entries.Keys.ToArray());
        var vectorType = isDouble ? NpyDType.Float64 : NpyDType.Float32;
        Assert.All(RenormKeys, key => Assert.Equal((vectorType, 1, 3L), (entries[key].DType, entries[key].Rank, (long)entries[key].Shape[0])));
    }

    [Fact]
    public void AStateWithoutRenormWritesNoRenormKeys()
    {
        var x = TensorView<double>.Create(new double[] { 1, 2, 3, 4, 5, 7 }, 3, 2);
        var state = BatchNorm.Train(x, BatchNormState<double>.Init(2), new BatchNormConfig { EmaUpdate = EmaUpdate.Internal }).NextState;
        using var directory = new TempDirectory();
        string path = directory.File("plain.npz");

        BatchNormStateFile.Save(path, state);

        Assert.Equal(["mean/EMA", "variance/EMA", "gamma", "beta", "step"], NpzFile.Read(path).Keys.ToArray());
        var loaded = BatchNormStateFile.Load<double>(path);
        Assert.Null(loaded.Renorm);
        Assert.Equal(state, loaded);
    }

    public static TheoryData<string[]> PartialKeySets =>
    [
        ["renorm_mean"],
        ["renorm_stddev"],
        ["moving_stddev"],
        ["renorm_mean", "renorm_stddev"],
        ["renorm_mean", "moving_stddev"],
        ["renorm_stddev", "moving_stddev"],
    ];

    [Theory]
    [MemberData(nameof(PartialKeySets))]
    public void AFileWithOnlySomeRenormKeysIsRejected(string[] keys)
    {
        var entries = PlainEntries();
        entries.AddRange(keys.Select(key => (key, StateFiles.Vector(1f, 1))));

        var error = Rejected<float>(entries);

        Assert.Contains("renorm_mean, renorm_stddev, moving_stddev", error.Message, StringComparison.Ordinal);
        Assert.Contains("found only " + string.Join(", ", keys), error.Message, StringComparison.Ordinal);
    }

    /// <summary>Case → the key the message must name (the array that replaces it is built in <see cref="BadEntry"/>).</summary>
    public static TheoryData<string, string> BadRenormDtypesAndShapes => new()
    {
        { "renorm_mean float64", "renorm_mean" },
        { "renorm_stddev [2, 1]", "renorm_stddev" },
        { "moving_stddev int64", "moving_stddev" },
    };

    /// <summary>Bad values that only the state's constructors detect; the loader wraps their ArgumentException.</summary>
    public static TheoryData<string, string> BadRenormValues => new()
    {
        { "moving_stddev of 3 channels", "moving_stddev" },
        { "renorm_stddev negative", "renorm_stddev" },
        { "moving_stddev NaN", "moving_stddev" },
        { "every renorm array of 3 channels", "renorm_mean" },
    };

    [Theory]
    [MemberData(nameof(BadRenormDtypesAndShapes))]
    public void ABadRenormDtypeOrShapeIsRejectedNamingTheKey(string name, string key) => AssertBadEntryRejected(name, key);

    [Theory]
    [MemberData(nameof(BadRenormValues))]
    public void ABadRenormValueIsRejected(string name, string key)
    {
        var error = BadEntry(name, key);

        string reason = name.Contains("channels", StringComparison.Ordinal) ? "channels but 'mean/EMA' has 2" : "a standard deviation must be ≥ 0";
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    /// <summary>The file's key is in the message, as for every other rejected entry (StateFileLoadRejectionTests).</summary>
    [Theory]
    [MemberData(nameof(BadRenormValues))]
    public void ABadRenormValueIsRejectedNamingTheKey(string name, string key) => AssertBadEntryRejected(name, key);

    private static void AssertBadEntryRejected(string name, string key)
    {
        var error = BadEntry(name, key);

        Assert.True(error.Message.Contains($"'{key}'", StringComparison.Ordinal), $"'{key}' not in the message: {error.Message}");
    }

    /// <summary>Loads a float state of 2 channels whose renorm entry <paramref name="key"/> is replaced as the case <paramref name="name"/> says.</summary>
    private static InvalidDataException BadEntry(string name, string key)
    {
        var replacement = name switch
        {
            "renorm_mean float64" => StateFiles.Vector(0.0, 0),
            "renorm_stddev [2, 1]" => NpyArray.FromTensor(TensorView<float>.Create(new float[] { 1, 1 }, 2, 1)),
            "moving_stddev int64" => StateFiles.Raw("<i8", "(2,)", NpyBytes.Longs(1, 1)),
            "moving_stddev of 3 channels" or "every renorm array of 3 channels" => StateFiles.Vector(1f, 1, 1),
            "renorm_stddev negative" => StateFiles.Vector(1f, -0.5f),
            _ => StateFiles.Vector(float.NaN, 1),
        };
        bool every = name.StartsWith("every", StringComparison.Ordinal);
        var entries = PlainEntries();
        entries.AddRange(RenormKeys.Select(k => (k, k == key || every ? replacement : StateFiles.Vector(1f, 1))));

        return Rejected<float>(entries);
    }

    /// <summary>A state of random bits with a renorm part: the means anything, the standard deviations ≥ 0 or −0 (no NaN).</summary>
    private static BatchNormState<T> WithRenorm<T>(int channels, long step, int seed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ReadOnlyVector<T> Stddev(int offset)
        {
            var values = IoTensors.RandomBits<T>([channels], seed + offset).Data;
            T[] specials = [T.NegativeZero, T.Zero, T.Epsilon, T.PositiveInfinity, T.CreateTruncating(3e38)];
            specials.AsSpan(0, Math.Min(channels, specials.Length)).CopyTo(values);
            for (int i = specials.Length; i < values.Length; i++)
            {
                values[i] = T.IsNaN(values[i]) ? T.Epsilon * T.CreateTruncating(i) : T.Abs(values[i]);
            }

            return ReadOnlyVector.Create<T>(values);
        }

        return StateFiles.RandomBitsState<T>(channels, step, seed) with
        {
            Renorm = new BatchRenormState<T>(ReadOnlyVector.Create<T>(IoTensors.RandomBits<T>([channels], seed + 10).Data), Stddev(11), Stddev(12)),
        };
    }

    private static void AssertRoundTrip<T>(BatchNormState<T> state)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        using var directory = new TempDirectory();
        string path = directory.File("state.npz");

        BatchNormStateFile.Save(path, state);
        var loaded = BatchNormStateFile.Load<T>(path);

        StateFiles.AssertBitwise(state, loaded);
        Assert.NotNull(loaded.Renorm);
        Assert.Equal(IoTensors.Bits(state.Renorm!.RenormMean.ToArray()), IoTensors.Bits(loaded.Renorm.RenormMean.ToArray()));
        Assert.Equal(IoTensors.Bits(state.Renorm.RenormStddev.ToArray()), IoTensors.Bits(loaded.Renorm.RenormStddev.ToArray()));
        Assert.Equal(IoTensors.Bits(state.Renorm.MovingStddev.ToArray()), IoTensors.Bits(loaded.Renorm.MovingStddev.ToArray()));
    }

    /// <summary>A valid float state of 2 channels without a renorm part.</summary>
    private static List<(string Key, NpyArray Array)> PlainEntries() =>
    [
        (BatchNormStateFile.MeanKey, StateFiles.Vector(0.25f, 1)),
        (BatchNormStateFile.VarianceKey, StateFiles.Vector(1f, 2)),
        (BatchNormStateFile.GammaKey, StateFiles.Vector(1f, 1)),
        (BatchNormStateFile.BetaKey, StateFiles.Vector(0f, 0)),
        (BatchNormStateFile.StepKey, NpyArray.FromInt64Scalar(3)),
    ];

    /// <summary>Writes <paramref name="entries"/>, loads them as <typeparamref name="T"/> and checks the InvalidDataException names the file.</summary>
    private static InvalidDataException Rejected<T>(List<(string Key, NpyArray Array)> entries)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        using var directory = new TempDirectory();
        string path = directory.File("state.npz");
        NpzFile.Write(path, entries);

        var error = Assert.Throws<InvalidDataException>(() => BatchNormStateFile.Load<T>(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        return error;
    }
}
