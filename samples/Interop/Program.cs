// A user's program over the interop packages: BatchNorm on a MathNet matrix and on a System.Numerics.Tensors tensor,
// a MathNet matrix product on BnNative's CBLAS provider, each checked against BnNative.Testing's double-precision
// oracle (or MathNet's managed provider). Exit code 0 only when every check holds.
//
//     ./build.sh --target=Pack && dotnet run --project samples/Interop -c Release
using BnNative.MathNet;
using BnNative.Normalization;
using BnNative.NumericsTensors;
using BnNative.Tensors;
using BnNative.Testing;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Providers.LinearAlgebra;
using NumericsTensor = System.Numerics.Tensors.Tensor;

int failures = 0;
var config = new BatchNormConfig { EmaUpdate = EmaUpdate.Internal };

// 1. A MathNet matrix, rows = batch, columns = channels: normalized in place of its own storage (no copies).
Matrix<float> x = Matrix<float>.Build.Random(64, 8, seed: 3) * 5f + 2f;
MatrixTrainResult<float> step = MatrixBatchNorm.Train(x, BatchNormState<float>.Init(8), config);
failures += CompareWithOracle("MathNet matrix", x.AsTensorView(), step.Output.AsTensorView(), config.Epsilon);
Matrix<float> inferred = MatrixBatchNorm.Infer(x, step.CommittedState, config);
Console.WriteLine($"MathNet matrix: inference output {inferred.RowCount}×{inferred.ColumnCount}, step {step.CommittedState.Step}");

// 2. A System.Numerics.Tensors tensor, NHWC: the spans are pinned for the call and seen as BnNative views.
float[] data = new float[8 * 4 * 4 * 16];
var random = new Random(5);
for (int i = 0; i < data.Length; i++)
{
    data[i] = (float)(random.NextDouble() * 10 - 3);
}

var input = NumericsTensor.Create(data, [8, 4, 4, 16]);
var output = NumericsTensor.CreateFromShape<float>([8, 4, 4, 16]);
TensorSpanBatchNorm.Train(input, BatchNormState<float>.Init(16), config, output);
float[] outputValues = new float[data.Length];
output.FlattenTo(outputValues);
failures += CompareWithOracle(
    "System.Numerics.Tensors tensor", TensorView<float>.Create(data, 8, 4, 4, 16), TensorView<float>.Create(outputValues, 8, 4, 4, 16), config.Epsilon);

// 3. MathNet's matrix product on BnNative's CBLAS provider, against MathNet's managed provider.
var a = Matrix<double>.Build.Random(256, 192, seed: 7);
var b = Matrix<double>.Build.Random(192, 128, seed: 8);
LinearAlgebraControl.UseManaged();
var managed = a * b;
if (BnNativeLinearAlgebra.TryUse(out string reason))
{
    var native = a * b;
    double bound = 2 * (192 + 2) * Math.Pow(2, -53) * (a.PointwiseAbs() * b.PointwiseAbs()).Enumerate().Max();
    double error = (native - managed).Enumerate().Max(Math.Abs);
    failures += Check($"MathNet product on {LinearAlgebraControl.Provider}", error, bound);
    LinearAlgebraControl.UseManaged();
}
else if (Environment.GetEnvironmentVariable("BNNATIVE_REQUIRE_NATIVE") == "1")
{
    Console.Error.WriteLine($"No CBLAS provider and BNNATIVE_REQUIRE_NATIVE=1: {reason}");
    failures++;
}
else
{
    Console.WriteLine($"No CBLAS provider ({reason.Split('\n')[0]}); the product stays managed.");
}

Console.WriteLine(failures == 0 ? "interop sample: every check holds" : $"interop sample: {failures} check(s) failed");
return failures == 0 ? 0 : 1;

// The oracle of BnNative.Testing: the batch statistics in double (MathNet) and y = (x − mean)/sqrt(var + eps).
static int CompareWithOracle(string what, TensorView<float> input, TensorView<float> output, double epsilon)
{
    int channels = input.Lengths[input.Rank - 1];                 // channels_last, the config's default
    var oracleCase = TensorCase.FromView(input, new ChannelChoice(DataFormat.ChannelsLast, explicitAxis: null));
    var statistics = oracleCase.Statistics();
    double[] expected = ReferenceBatchNorm.Normalize(
        oracleCase, statistics.Mean, statistics.Variance, Enumerable.Repeat(1.0, channels).ToArray(), new double[channels], epsilon);
    float[] actual = output.ToArray();
    double error = expected.Select((e, i) => Math.Abs(e - actual[i])).Max();
    return Check($"{what} against the oracle", error, 1e-5);
}

static int Check(string what, double error, double bound)
{
    bool ok = error <= bound;
    Console.WriteLine($"{(ok ? "ok  " : "FAIL")} {what}: max error {error:G3} (bound {bound:G3})");
    return ok ? 0 : 1;
}
