namespace BnNative.Demo;

/// <summary>One epoch's numbers: mean training loss, training accuracy (training mode) and test accuracy (inference mode).</summary>
internal sealed record EpochRecord(int Epoch, double Loss, double TrainAccuracy, double TestAccuracy);

/// <summary>A trained network and what happened while training it.</summary>
internal sealed class TrainingRun
{
    public TrainingRun(Mlp<float> model) => Model = model;

    public Mlp<float> Model { get; }

    public List<EpochRecord> Epochs { get; } = [];

    /// <summary>The mean loss of every step, in order.</summary>
    public List<double> StepLosses { get; } = [];

    /// <summary>For the first BatchNorm layer's first channels: per step the batch mean/variance and the moving mean/variance after the update.</summary>
    public List<(double BatchMean, double MovingMean, double BatchVariance, double MovingVariance)>[] Trace { get; } =
        [[], [], []];
}
