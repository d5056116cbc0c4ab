// A user's program: BnNative from its NuGet packages. One training step and one inference step on an NCHW batch,
// checked against the formulas they promise; exit code 0 only when every check holds.
//
// Build and run (after ./build.sh --target=Pack has written the packages to artifacts/packages):
//     dotnet run --project samples/Consumer -c Release
using System.Reflection;
using BnNative.Moments;
using BnNative.Normalization;
using BnNative.Tensors;

const int Batch = 8, Channels = 4, Height = 5, Width = 6;
var random = new Random(12);
float[] data = new float[Batch * Channels * Height * Width];
for (int i = 0; i < data.Length; i++)
{
    int channel = i / (Height * Width) % Channels;
    data[i] = (float)((random.NextDouble() - 0.5) * (channel + 1) * 3 + channel * 10);
}

Console.WriteLine($"BnNative.Core {Version(typeof(BatchNorm))}, BnNative.Native {Version(Type.GetType("BnNative.Native.Blas.CblasLibrary, BnNative.Native", throwOnError: true)!)}");

// The native CBLAS moments backend when a BLAS library loads (BnNative.Native), else the managed SIMD backend.
MomentsBackend moments;
if (MomentsBackend.TryCblas(null, out var cblas, out string failure))
{
    moments = cblas;
}
else if (Environment.GetEnvironmentVariable("BNNATIVE_REQUIRE_NATIVE") == "1")
{
    Console.Error.WriteLine($"No CBLAS library loaded and BNNATIVE_REQUIRE_NATIVE=1: {failure}");
    return 1;
}
else
{
    moments = MomentsBackend.Simd;
    Console.WriteLine($"No CBLAS library ({failure.Split('\n')[0]}); using the managed backend.");
}

Console.WriteLine($"Moments backend: {moments.Name}");
var x = TensorView<float>.Create(data, Batch, Channels, Height, Width);
var config = new BatchNormConfig { DataFormat = DataFormat.ChannelsFirst, Moments = moments };
var state = BatchNormState<float>.Init(Channels);

// Training: y = (x − μ_B)/√(σ²_B + ε) per channel (gamma 1, beta 0), and the EMA moves 10% towards the batch.
BatchNormTrainResult<float> step = BatchNorm.Train(x, state, config);
BatchNormState<float> next = step.CommittedState;
int failures = 0;
for (int c = 0; c < Channels; c++)
{
    double sum = 0, squares = 0;
    int n = 0;
    for (int b = 0; b < Batch; b++)
    {
        for (int h = 0; h < Height; h++)
        {
            for (int w = 0; w < Width; w++)
            {
                double value = x[b, c, h, w];
                sum += value;
                squares += value * value;
                n++;
            }
        }
    }

    double mean = sum / n;
    double variance = squares / n - mean * mean;
    double outSum = 0, outSquares = 0;
    for (int b = 0; b < Batch; b++)
    {
        for (int h = 0; h < Height; h++)
        {
            for (int w = 0; w < Width; w++)
            {
                double y = step.Output[b, c, h, w];
                outSum += y;
                outSquares += y * y;
            }
        }
    }

    double outMean = outSum / n;
    double outVariance = outSquares / n - outMean * outMean;
    failures += Check($"channel {c}: output mean", outMean, 0, 1e-5);
    failures += Check($"channel {c}: output variance", outVariance, variance / (variance + config.Epsilon), 1e-4);
    failures += Check($"channel {c}: moving mean", next.MovingMean[c], 0.1 * mean, 1e-5 * Math.Max(1, Math.Abs(mean)));
}

// Inference with the moving statistics: y = (x − moving mean)/√(moving variance + ε).
var inferred = BatchNorm.Infer(x, next, config);
double expected = (x[3, 2, 1, 4] - next.MovingMean[2]) / Math.Sqrt(next.MovingVariance[2] + config.Epsilon);
failures += Check("inference element [3, 2, 1, 4]", inferred.View[3, 2, 1, 4], expected, 1e-5 * Math.Max(1, Math.Abs(expected)));

Console.WriteLine(failures == 0 ? "sample consumer: every check holds" : $"sample consumer: {failures} check(s) failed");
return failures == 0 ? 0 : 1;

static int Check(string what, double actual, double expected, double tolerance)
{
    bool ok = Math.Abs(actual - expected) <= tolerance;
    Console.WriteLine($"{(ok ? "ok  " : "FAIL")} {what}: {actual:G9} (expected {expected:G9} ± {tolerance:G2})");
    return ok ? 0 : 1;
}

static string Version(Type type) =>
    type.Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "?";
