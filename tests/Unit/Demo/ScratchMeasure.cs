using BnNative.Cli.Demo;
using Xunit.Abstractions;

namespace BnNative.Tests.Demo;

public sealed class ScratchMeasure(ITestOutputHelper log)
{
    [Fact]
    public void Measure()
    {
        foreach (int seed in new[] { 1, 2, 3 })
        {
            var options = new DemoOptions { Epochs = 20, Seed = seed };
            var data = DemoDataset.Spirals(seed);
            var (train, test) = data.Split(seed);
            foreach (var gemm in new[] { MatrixMultiply.Create(), MatrixMultiply.Managed })
            {
                var clock = System.Diagnostics.Stopwatch.StartNew();
                var bn = DemoTrainer.Train(data, train, test, options, true, gemm, null);
                var plain = DemoTrainer.Train(data, train, test, options, false, gemm, null);
                log.WriteLine($"seed {seed} {gemm.Description[..10]} {clock.Elapsed.TotalSeconds:F2}s bn: {string.Join(" ", bn.Epochs.Select(e => $"{100 * e.TestAccuracy:F1}"))}");
                log.WriteLine($"   plain: {string.Join(" ", plain.Epochs.Select(e => $"{100 * e.TestAccuracy:F1}"))}");
            }
        }
    }
}
