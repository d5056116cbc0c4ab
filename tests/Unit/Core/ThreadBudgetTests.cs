using BnNative.Kernels;

namespace BnNative.Tests.Core;

public sealed class ThreadBudgetTests
{
    [Theory]
    [InlineData(null, 8, 8)]
    [InlineData("", 8, 8)]
    [InlineData("2", 8, 4)]
    [InlineData("3", 8, 2)]
    [InlineData("4", 2, 1)]
    [InlineData("0", 8, 8)]
    [InlineData("two", 8, 8)]
    [InlineData("-2", 8, 8)]
    public void EachProcessTakesItsShareOfTheCores(string? localRanks, int cores, int expected)
    {
        string? Environment(string name) => name == ThreadBudget.LocalRanksVariable ? localRanks : null;

        Assert.Equal(expected, ThreadBudget.CoresPerProcess(Environment, cores));
    }

    [Fact]
    public void TheConfigDefaultIsTheShareOfThisProcess()
    {
        Assert.Equal(ThreadBudget.Default, new BnNative.Normalization.BatchNormConfig().WorkerThreads);
        Assert.Equal(3, new BnNative.Normalization.BatchNormConfig { Threads = 3 }.WorkerThreads);
    }
}
