namespace BnNative.Cli.Bench;

/// <summary>The BatchNorm call a benchmark row times.</summary>
internal enum BenchOp
{
    /// <summary><c>layer.Train(x, y)</c> or <c>BatchNorm.Train(x, state, config, y)</c>: batch moments, then the normalized output.</summary>
    Train,

    /// <summary><c>layer.Infer(x, y)</c> or <c>BatchNorm.Infer(x, state, config, y)</c>: the output from the moving statistics.</summary>
    Infer,

    /// <summary><c>layer.Backward(dy, dx)</c> or <c>BatchNorm.Backward(dy, train, dx)</c>, after one training step beforehand.</summary>
    Backward,
}
