using BnNative.Demo;
using BnNative.Normalization;

namespace BnNative.Tests.Demo;

/// <summary>
/// The whole MLP's backward pass in double against central finite differences of the mean softmax cross-entropy.
/// Each difference re-runs the training-mode forward, which recomputes the batch statistics, so the BatchNorm
/// gradients must include the dependence of the batch mean and variance on every sample.
/// </summary>
public sealed class MlpGradientCheckTests
{
    private const int Rows = 8;
    private const int Classes = 3;
    private const double Step = 1e-5;

    /// <summary>Entries checked per parameter (all of them when there are fewer).</summary>
    private const int Samples = 24;

    public static TheoryData<string, string> Networks => new()
    {
        { "batch norm", "managed" },
        { "batch norm", "default" },
        { "ghost batch norm", "managed" },
        { "ghost batch norm", "default" },
        { "none", "managed" },
        { "none", "default" },
    };

    [Theory]
    [MemberData(nameof(Networks))]
    public void EveryParameterGradientMatchesFiniteDifferences(string normalization, string gemm)
    {
        var (model, x, labels) = Build(normalization, gemm);
        var analytic = Gradients(model, x, labels);

        var random = new Random(7);
        Assert.Equal(normalization == "none" ? 6 : 8, model.Parameters.Count);
        foreach (var (parameter, gradient) in model.Parameters.Zip(analytic.Parameters))
        {
            foreach (int i in Indices(parameter.Value.Length, random))
            {
                double saved = parameter.Value[i];
                parameter.Value[i] = saved + Step;
                double plus = Loss(model, x, labels);
                parameter.Value[i] = saved - Step;
                double minus = Loss(model, x, labels);
                parameter.Value[i] = saved;
                AssertClose((plus - minus) / (2 * Step), gradient[i], $"{parameter.Name}[{i}] ({normalization}, {gemm})");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void TheInputGradientMatchesFiniteDifferences(string normalization, string gemm)
    {
        var (model, x, labels) = Build(normalization, gemm);
        var analytic = Gradients(model, x, labels);

        for (int i = 0; i < x.Length; i++)
        {
            double saved = x[i];
            x[i] = saved + Step;
            double plus = Loss(model, x, labels);
            x[i] = saved - Step;
            double minus = Loss(model, x, labels);
            x[i] = saved;
            AssertClose((plus - minus) / (2 * Step), analytic.Input[i], $"x[{i}] ({normalization}, {gemm})");
        }
    }

    /// <summary>
    /// Batch norm right after the first (bias-free) dense layer makes the loss blind to adding one vector to every
    /// sample of a normalization group: the shift passes through W as a per-channel constant that the batch mean
    /// removes. So per group and feature the input gradients sum to zero, which fails if backward treats the batch
    /// statistics as constants. Without batch norm the sums are clearly not zero (the check has teeth).
    /// </summary>
    [Theory]
    [InlineData("batch norm", Rows)]
    [InlineData("ghost batch norm", 4)]
    [InlineData("none", Rows)]
    public void TheInputGradientSumsToZeroOverEachNormalizationGroup(string normalization, int group)
    {
        var (model, x, labels) = Build(normalization, "managed");
        var analytic = Gradients(model, x, labels);

        int features = model.Inputs;
        double largest = 0;
        for (int start = 0; start < Rows; start += group)
        {
            for (int f = 0; f < features; f++)
            {
                double sum = Enumerable.Range(start, group).Sum(row => analytic.Input[(row * features) + f]);
                largest = Math.Max(largest, Math.Abs(sum));
            }
        }

        if (normalization == "none")
        {
            Assert.True(largest > 1e-3, $"without batch norm the largest column sum is only {largest:E2}");
        }
        else
        {
            Assert.True(largest < 1e-12, $"{normalization}: a column sum of the input gradient is {largest:E2}");
        }
    }

    /// <summary>
    /// A network of widths 5 → 7 → 6 → 3 on 8 samples whose features have different scales and offsets (as in the
    /// demo's data), with random labels; the hidden layers have batch norm over the whole batch, over ghost batches
    /// of 4, or none. γ and β are moved off 1 and 0 so their gradients are not a special case.
    /// </summary>
    private static (Mlp<double> Model, double[] X, int[] Labels) Build(string normalization, string gemm)
    {
        var config = normalization switch
        {
            "batch norm" => new BatchNormConfig { Threads = 1 },
            "ghost batch norm" => new BatchNormConfig { Threads = 1, VirtualBatchSize = 4 },
            _ => null,
        };
        var multiply = gemm == "managed" ? MatrixMultiply.Managed : MatrixMultiply.Create();
        var random = new Random(11);
        var model = new Mlp<double>([5, 7, 6, Classes], config, multiply, random);
        foreach (var parameter in model.Parameters.Where(p => !p.Name.Contains("/W", StringComparison.Ordinal)))
        {
            for (int i = 0; i < parameter.Value.Length; i++)
            {
                parameter.Value[i] += (random.NextDouble() * 0.6) - 0.3;
            }
        }

        var x = new double[Rows * 5];
        for (int i = 0; i < x.Length; i++)
        {
            int feature = i % 5;
            x[i] = (feature - 2) + ((1 + feature) * ((random.NextDouble() * 2) - 1));
        }

        var labels = Enumerable.Range(0, Rows).Select(_ => random.Next(Classes)).ToArray();
        return (model, x, labels);
    }

    /// <summary>The mean loss of one training-mode forward (batch statistics recomputed, moving statistics untouched).</summary>
    private static double Loss(Mlp<double> model, double[] x, int[] labels)
    {
        var logits = model.Forward(x, Rows, training: true);
        return SoftmaxCrossEntropy.Evaluate(logits, Rows, Classes, labels, 1.0, null).LossSum / Rows;
    }

    /// <summary>Forward and backward of the mean loss: every parameter's gradient (copied) and the input gradient.</summary>
    private static (double[][] Parameters, double[] Input) Gradients(Mlp<double> model, double[] x, int[] labels)
    {
        var logits = model.Forward(x, Rows, training: true);
        var logitGradient = new double[logits.Length];
        SoftmaxCrossEntropy.Evaluate(logits, Rows, Classes, labels, 1.0 / Rows, logitGradient);
        var input = model.Backward(logitGradient);
        return (model.Parameters.Select(p => (double[])p.Gradient.Clone()).ToArray(), input);
    }

    private static IEnumerable<int> Indices(int length, Random random) =>
        length <= Samples ? Enumerable.Range(0, length) : Enumerable.Range(0, length).OrderBy(_ => random.Next()).Take(Samples).Order();

    /// <summary>Central differences with h = 1e-5 in double are good to about 1e-9 here; 1e-6 absolute + 1e-5 relative leaves room.</summary>
    private static void AssertClose(double expected, double actual, string what) =>
        Assert.True(
            Math.Abs(expected - actual) <= 1e-6 + (1e-5 * Math.Abs(expected)),
            $"{what}: finite difference {expected:E6}, backward {actual:E6}");
}
