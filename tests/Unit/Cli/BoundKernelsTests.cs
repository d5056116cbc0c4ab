using System.Runtime.Intrinsics;
using BnNative.Cli.Bench;
using BnNative.Normalization;

namespace BnNative.Tests.Cli;

/// <summary>
/// The bare loops behind <c>bnnative bench --api bound</c> are a lower bound only if they do the work: their training
/// output must be the batch normalization of x (γ = 1, β = 0), their inference output that of the initial state, and
/// their backward output the library's input gradient for the same step, within float rounding. Where they do not
/// apply (no AVX-512, or a case they do not cover), asking for one is refused.
/// </summary>
public sealed class BoundKernelsTests
{
    [Theory]
    [InlineData(256, 256)]
    [InlineData(100, 512)] // a last fold block of 36 rows; two held groups of sixteen vectors
    public void TrainingAndInferenceOutputsAreTheNormalization(int rows, int channels)
    {
        var benchCase = new BenchCase([rows, channels], BenchLayout.Rows);
        var tensors = BenchTensors.Create(benchCase);
        if (!Vector512.IsHardwareAccelerated)
        {
            Assert.False(BoundKernels.Supports(BenchOp.Train, benchCase, 1));
            Assert.Throws<ArgumentException>(() => BoundKernels.Create(BenchOp.Train, tensors, 1));
            return;
        }

        BoundKernels.Create(BenchOp.Train, tensors, 1)();
        var trained = tensors.YData.ToArray();
        var expected = BatchNorm.Train(tensors.X, BatchNormState<float>.Init(channels), new BatchNormConfig { Axis = 1 }).Output.ToArray();
        Assert.All(Enumerable.Range(0, trained.Length), i => Assert.Equal(expected[i], trained[i], 2e-5f));

        BoundKernels.Create(BenchOp.Infer, tensors, 1)();
        var inferred = tensors.YData.ToArray();
        float scale = 1 / MathF.Sqrt(1 + 1e-5f);
        Assert.All(Enumerable.Range(0, inferred.Length), i => Assert.Equal(tensors.XData[i] * scale, inferred[i], 1e-6f));

        BoundKernels.Create(BenchOp.Backward, tensors, 1)();
        var gradient = tensors.DxData.ToArray();
        var config = new BatchNormConfig { Axis = 1 };
        var train = BatchNorm.Train(tensors.X, BatchNormState<float>.Init(channels), config);
        var expectedGradient = BatchNorm.Backward(tensors.Dy, train).InputGradient.ToArray();
        Assert.Contains(expectedGradient, value => value != 0);
        Assert.All(Enumerable.Range(0, gradient.Length), i => Assert.Equal(expectedGradient[i], gradient[i], 1e-4f));
    }

    [Fact]
    public void OnlyRowsOfWholeGroupsOnOneThreadAreCovered()
    {
        var rows = new BenchCase([64, 256], BenchLayout.Rows);
        bool wide = Vector512.IsHardwareAccelerated;

        Assert.Equal(wide, BoundKernels.Supports(BenchOp.Train, rows, 1));
        Assert.Equal(wide, BoundKernels.Supports(BenchOp.Infer, rows, 1));
        Assert.Equal(wide, BoundKernels.Supports(BenchOp.Backward, rows, 1));
        Assert.False(BoundKernels.Supports(BenchOp.Train, rows, 2));
        Assert.False(BoundKernels.Supports(BenchOp.Train, new BenchCase([64, 64], BenchLayout.Rows), 1));
        Assert.False(BoundKernels.Supports(BenchOp.Train, new BenchCase([64, 384], BenchLayout.Rows), 1));
        Assert.False(BoundKernels.Supports(BenchOp.Train, new BenchCase([2, 128, 3, 3], BenchLayout.Nhwc), 1));
        var error = Assert.Throws<ArgumentException>(() => BoundKernels.Create(BenchOp.Backward, BenchTensors.Create(rows), 2));
        Assert.Contains("--api bound", error.Message, StringComparison.Ordinal);
    }
}
