using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using BnNative.Demo;
using BnNative.IO;
using BnNative.Tensors;
using BnNative.Tests.Cli;
using BnNative.Tests.IO;
using Spectre.Console;

namespace BnNative.Tests.Demo;

/// <summary>Runs of the demo in-process, with the console captured as plain text.</summary>
internal static class DemoRuns
{
    /// <summary>Runs <c>bnnative-demo</c> in-process with <paramref name="args"/>, capturing both streams.</summary>
    public static CliResult Command(params string[] args) => CliResult.Of(DemoApp.Run, args);

    /// <summary>
    /// <see cref="DemoRunner.Prepare"/> and <see cref="DemoRunner.Run"/> with <paramref name="options"/> (the embedded
    /// spirals unless they name files), the report discarded: what the command does after parsing, on one process.
    /// </summary>
    public static DemoSummary Run(DemoOptions options)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(TextWriter.Null),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        return DemoRunner.Run(DemoRunner.Prepare(options), options, console, sync: null);
    }

    /// <summary>The fraction of rows whose arg-max logit is the label.</summary>
    public static double Accuracy(int[] predictions, int[] labels) =>
        predictions.Zip(labels).Count(pair => pair.First == pair.Second) / (double)labels.Length;
}

/// <summary>Small feature and label files for <c>--data</c>/<c>--labels</c>.</summary>
internal static class DemoFiles
{
    /// <summary>
    /// Two classes in <paramref name="dimensions"/> dimensions, exactly separable by a hyperplane through the origin:
    /// feature d is N(0, (1 + d)²), and the class is 1 when Σ x_d / (1 + d) &gt; 0.
    /// </summary>
    public static (double[] Features, long[] Labels) TwoClasses(int rows, int dimensions, int seed)
    {
        var random = new Random(seed);
        var features = new double[rows * dimensions];
        var labels = new long[rows];
        for (int i = 0; i < rows; i++)
        {
            double sum = 0;
            for (int d = 0; d < dimensions; d++)
            {
                double value = Gaussian(random) * (1 + d);
                features[(i * dimensions) + d] = value;
                sum += value / (1 + d);
            }

            labels[i] = sum > 0 ? 1 : 0;
        }

        return (features, labels);
    }

    /// <summary>Writes a float64 [rows, columns] .npy file and returns the path.</summary>
    public static string WriteFeatures(string path, double[] features, int columns)
    {
        NpyFile.Write(path, TensorView<double>.Create(features, features.Length / columns, columns));
        return path;
    }

    /// <summary>Writes a float32 .npy file of the given shape and returns the path.</summary>
    public static string WriteFloats(string path, float[] values, params int[] shape)
    {
        NpyFile.Write(path, TensorView<float>.Create(values, shape));
        return path;
    }

    /// <summary>Writes an int64 1-D .npy file (built by hand: the library writes int64 only as a scalar) and returns the path.</summary>
    public static string WriteLabels(string path, long[] labels)
    {
        File.WriteAllBytes(path, NpyBytes.Simple("<i8", $"({labels.Length},)", NpyBytes.Longs(labels)));
        return path;
    }

    /// <summary>Writes float64 labels (integral or not) as a 1-D .npy file and returns the path.</summary>
    public static string WriteFloatLabels(string path, double[] labels)
    {
        NpyFile.Write(path, TensorView<double>.Create(labels, labels.Length));
        return path;
    }

    /// <summary>Writes the features as comma-separated lines (invariant culture, round-trip precision) and returns the path.</summary>
    public static string WriteCsv(string path, double[] features, int columns)
    {
        var text = new StringBuilder();
        for (int i = 0; i < features.Length / columns; i++)
        {
            text.AppendJoin(',', features.Skip(i * columns).Take(columns).Select(v => ((float)v).ToString("R", CultureInfo.InvariantCulture)));
            text.Append('\n');
        }

        File.WriteAllText(path, text.ToString());
        return path;
    }

    private static double Gaussian(Random random)
    {
        double u1 = 1.0 - random.NextDouble();
        double u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}

/// <summary>A PNG file's structure, read without a decoder: signature, chunk lengths and CRCs, IHDR, IEND.</summary>
internal static class PngFile
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    private static readonly uint[] CrcTable = Enumerable.Range(0, 256).Select(n =>
    {
        uint c = (uint)n;
        for (int k = 0; k < 8; k++)
        {
            c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        }

        return c;
    }).ToArray();

    /// <summary>
    /// Asserts <paramref name="path"/> is a well-formed PNG: the signature, IHDR first (13 bytes), every chunk's CRC
    /// correct, at least one IDAT, IEND last with nothing after it. Returns the image size.
    /// </summary>
    public static (int Width, int Height) AssertValid(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        Assert.True(bytes.AsSpan().StartsWith(Signature), $"{path} does not start with the PNG signature");
        int offset = Signature.Length;
        var chunks = new List<string>();
        int width = 0, height = 0;
        while (offset < bytes.Length)
        {
            Assert.True(offset + 12 <= bytes.Length, $"{path}: truncated chunk header at byte {offset}");
            int length = checked((int)BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(offset)));
            Assert.True(offset + 12 + (long)length <= bytes.Length, $"{path}: chunk at byte {offset} runs past the end");
            string type = Encoding.ASCII.GetString(bytes, offset + 4, 4);
            uint stored = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(offset + 8 + length));
            Assert.True(Crc(bytes.AsSpan(offset + 4, 4 + length)) == stored, $"{path}: chunk {type} at byte {offset} has a bad CRC");
            if (type == "IHDR")
            {
                Assert.Equal(13, length);
                width = checked((int)BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(offset + 8)));
                height = checked((int)BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(offset + 12)));
            }

            chunks.Add(type);
            offset += 12 + length;
        }

        Assert.Equal("IHDR", chunks[0]);
        Assert.Contains("IDAT", chunks);
        Assert.Equal("IEND", chunks[^1]);
        return (width, height);
    }

    private static uint Crc(ReadOnlySpan<byte> data)
    {
        uint c = 0xFFFFFFFFu;
        foreach (byte b in data)
        {
            c = CrcTable[(c ^ b) & 0xFF] ^ (c >> 8);
        }

        return c ^ 0xFFFFFFFFu;
    }
}
