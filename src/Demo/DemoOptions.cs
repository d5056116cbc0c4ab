using BnNative.Normalization;

namespace BnNative.Demo;

/// <summary>The settings of one demo run (the <c>bnnative-demo</c> options).</summary>
internal sealed record DemoOptions
{
    /// <summary>Passes over the training set. Default 40.</summary>
    public int Epochs { get; init; } = 40;

    /// <summary>Samples per step (global: split across MPI ranks). Default 64. A final partial batch of an epoch is dropped.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>SGD learning rate. Default 0.1: high enough that the network without batch norm fails to train while the one with it does.</summary>
    public double LearningRate { get; init; } = 0.1;

    /// <summary>SGD momentum. Default 0.9.</summary>
    public double Momentum { get; init; } = 0.9;

    /// <summary>Ghost batch size, or null.</summary>
    public int? VirtualBatchSize { get; init; }

    /// <summary>How the moving statistics are updated. Default collection (tensorpack's default: pending transitions applied after each step).</summary>
    public EmaUpdate Ema { get; init; } = EmaUpdate.Collection;

    /// <summary>Seed of the data, the split, the initial weights and the batch order.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Hidden layer widths. Default 64, 64.</summary>
    public int[] Hidden { get; init; } = [64, 64];

    /// <summary>Folder for the plots and the saved states.</summary>
    public string Out { get; init; } = "bnnative-demo";

    /// <summary>Features file (.npy or .csv), or null for the embedded spirals.</summary>
    public string? Data { get; init; }

    /// <summary>Labels file (.npy), with <see cref="Data"/>.</summary>
    public string? Labels { get; init; }

    /// <summary>Write the PNG plots. Default true.</summary>
    public bool Plots { get; init; } = true;

    /// <summary>The BatchNorm settings of the BN network.</summary>
    public BatchNormConfig BatchNorm => new() { EmaUpdate = Ema, VirtualBatchSize = VirtualBatchSize, Threads = 1 };
}
