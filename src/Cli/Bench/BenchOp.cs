namespace BnNative.Cli.Bench;

/// <summary>The BatchNorm call a benchmark row times.</summary>
internal enum BenchOp
{
    /// <summary><c>BatchNorm.Train(x, state, config, y)</c>: batch moments, then the normalized output.</summary>
    Train,

    /// <summary><c>BatchNorm.Infer(x, state, config, y)</c>: the output from the moving statistics.</summary>
    Infer,

    /// <summary><c>BatchNorm.Backward(dy, train, dx)</c>, with the training result computed once beforehand.</summary>
    Backward,
}
