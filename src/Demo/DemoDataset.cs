using System.Globalization;
using BnNative.IO;

namespace BnNative.Demo;

/// <summary>
/// A classification set for the demo: features [N, D] (float32), labels in [0, K), and for data with a 2-D origin
/// the map from the plane to the features (to draw decision regions).
/// </summary>
internal sealed class DemoDataset
{
    private DemoDataset(string name, float[] features, int[] labels, int dimensions, int classes, double[]? plane, Func<double, double, float[]>? lift)
    {
        Name = name;
        Features = features;
        Labels = labels;
        Dimensions = dimensions;
        Classes = classes;
        Plane = plane;
        Lift = lift;
    }

    /// <summary>What the data is, for the report.</summary>
    public string Name { get; }

    /// <summary>Row-major [Count, Dimensions].</summary>
    public float[] Features { get; }

    /// <summary>Class of each row, in [0, Classes).</summary>
    public int[] Labels { get; }

    public int Dimensions { get; }

    public int Classes { get; }

    public int Count => Labels.Length;

    /// <summary>The 2-D point each row came from ([Count, 2]), or null when the data has no such plane.</summary>
    public double[]? Plane { get; }

    /// <summary>Maps a point of the plane to features (without noise), or null.</summary>
    public Func<double, double, float[]>? Lift { get; }

    /// <summary>
    /// Three interleaved spirals in the plane (not linearly separable), each point lifted into 16 dimensions by a fixed
    /// random affine map whose feature scales span 0.3–10 and offsets ±5, plus Gaussian noise: the kind of badly
    /// scaled input batch normalization is for.
    /// </summary>
    public static DemoDataset Spirals(int seed, int perClass = 600, int dimensions = 16)
    {
        var random = new Random(seed);
        const int classes = 3;
        var scale = new double[dimensions, 2];
        var offset = new double[dimensions];
        for (int d = 0; d < dimensions; d++)
        {
            double magnitude = Math.Pow(10, -0.5 + (1.5 * random.NextDouble()));
            double angle = 2 * Math.PI * random.NextDouble();
            scale[d, 0] = magnitude * Math.Cos(angle);
            scale[d, 1] = magnitude * Math.Sin(angle);
            offset[d] = (random.NextDouble() * 10) - 5;
        }

        float[] LiftPoint(double x, double y, double noise)
        {
            var features = new float[dimensions];
            for (int d = 0; d < dimensions; d++)
            {
                double magnitude = Math.Sqrt((scale[d, 0] * scale[d, 0]) + (scale[d, 1] * scale[d, 1]));
                features[d] = (float)((scale[d, 0] * x) + (scale[d, 1] * y) + offset[d] + (noise * magnitude * Gaussian(random)));
            }

            return features;
        }

        int count = classes * perClass;
        var all = new float[count * dimensions];
        var labels = new int[count];
        var plane = new double[count * 2];
        for (int k = 0; k < classes; k++)
        {
            for (int i = 0; i < perClass; i++)
            {
                int row = (k * perClass) + i;
                double t = (i + 0.5) / perClass;
                double angle = (k * 2 * Math.PI / classes) + (t * 3.2 * Math.PI) + (0.12 * Gaussian(random));
                double x = t * Math.Cos(angle);
                double y = t * Math.Sin(angle);
                plane[2 * row] = x;
                plane[(2 * row) + 1] = y;
                labels[row] = k;
                LiftPoint(x, y, 0.02).CopyTo(all, row * dimensions);
            }
        }

        return new DemoDataset(
            string.Create(CultureInfo.InvariantCulture, $"3-class spirals lifted into {dimensions} dimensions (seed {seed}, {count} points)"),
            all, labels, dimensions, classes, plane, (x, y) => LiftPoint(x, y, 0));
    }

    /// <summary>
    /// The user's data: features from .npy (2-D float32/float64) or .csv (numbers separated by commas, one sample per
    /// line), labels from .npy (1-D int64, or float with integral values) in [0, K) with K ≥ 2.
    /// </summary>
    /// <exception cref="InvalidDataException">The files are unreadable or inconsistent; the message names the file and the problem.</exception>
    public static DemoDataset Load(string dataPath, string labelsPath)
    {
        var (features, rows, dimensions) = Path.GetExtension(dataPath).ToLowerInvariant() switch
        {
            ".npy" => ReadNpyFeatures(dataPath),
            ".csv" => ReadCsvFeatures(dataPath),
            _ => throw new InvalidDataException($"{dataPath}: --data must be a .npy or .csv file."),
        };
        var labels = ReadLabels(labelsPath);
        if (labels.Length != rows)
        {
            throw new InvalidDataException($"{labelsPath}: {labels.Length} labels but {dataPath} has {rows} samples.");
        }

        if (rows < 10)
        {
            throw new InvalidDataException($"{dataPath}: {rows} samples; the demo needs at least 10 to split into training and test sets.");
        }

        int classes = labels.Max() + 1;
        if (labels.Distinct().Count() < 2)
        {
            throw new InvalidDataException($"{labelsPath}: every label is {labels[0]}; classification needs at least 2 classes.");
        }

        for (int i = 0; i < features.Length; i++)
        {
            if (!float.IsFinite(features[i]))
            {
                throw new InvalidDataException($"{dataPath}: sample {i / dimensions}, feature {i % dimensions} is {features[i]}; features must be finite.");
            }
        }

        double[]? plane = dimensions == 2 ? features.Select(v => (double)v).ToArray() : null;
        Func<double, double, float[]>? lift = dimensions == 2 ? (x, y) => [(float)x, (float)y] : null;
        return new DemoDataset(
            string.Create(CultureInfo.InvariantCulture, $"{Path.GetFileName(dataPath)} ({rows} samples, {dimensions} features, {classes} classes)"),
            features, labels, dimensions, classes, plane, lift);
    }

    /// <summary>Splits into training and test rows by a seeded shuffle (<paramref name="testFraction"/> of the rows for testing).</summary>
    public (int[] Train, int[] Test) Split(int seed, double testFraction = 0.2)
    {
        var order = Enumerable.Range(0, Count).ToArray();
        new Random(seed).Shuffle(order);
        int test = Math.Max(1, (int)Math.Round(Count * testFraction));
        return (order[test..], order[..test]);
    }

    /// <summary>The features of <paramref name="rows"/>, row-major.</summary>
    public float[] Gather(ReadOnlySpan<int> rows)
    {
        var result = new float[rows.Length * Dimensions];
        for (int i = 0; i < rows.Length; i++)
        {
            Features.AsSpan(rows[i] * Dimensions, Dimensions).CopyTo(result.AsSpan(i * Dimensions));
        }

        return result;
    }

    private static (float[] Features, int Rows, int Dimensions) ReadNpyFeatures(string path)
    {
        var array = NpyFile.Read(path);
        if (array.Rank != 2 || array.Shape[0] == 0 || array.Shape[1] == 0)
        {
            throw new InvalidDataException($"{path}: features must be a non-empty 2-D array [samples, features]; found shape [{string.Join(", ", array.Shape)}].");
        }

        float[] features = array.DType switch
        {
            NpyDType.Float32 => array.ToFloatTensor().Data,
            NpyDType.Float64 => array.ToDoubleTensor().Data.Select(v => (float)v).ToArray(),
            _ => throw new InvalidDataException($"{path}: features must be float32 or float64, not {array.DType}."),
        };
        return (features, checked((int)array.Shape[0]), checked((int)array.Shape[1]));
    }

    private static (float[] Features, int Rows, int Dimensions) ReadCsvFeatures(string path)
    {
        var values = new List<float>();
        int dimensions = -1;
        int rows = 0;
        int lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var cells = line.Split(',');
            if (dimensions >= 0 && cells.Length != dimensions)
            {
                throw new InvalidDataException($"{path}:{lineNumber}: {cells.Length} values but the first row has {dimensions}.");
            }

            foreach (var cell in cells)
            {
                if (!float.TryParse(cell.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out float value))
                {
                    throw new InvalidDataException($"{path}:{lineNumber}: '{cell.Trim()}' is not a number.");
                }

                values.Add(value);
            }

            dimensions = cells.Length;
            rows++;
        }

        if (rows == 0)
        {
            throw new InvalidDataException($"{path}: no samples.");
        }

        return (values.ToArray(), rows, dimensions);
    }

    private static int[] ReadLabels(string path)
    {
        if (!string.Equals(Path.GetExtension(path), ".npy", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException($"{path}: --labels must be a .npy file.");
        }

        var array = NpyFile.Read(path);
        if (array.Rank != 1)
        {
            throw new InvalidDataException($"{path}: labels must be a 1-D array; found shape [{string.Join(", ", array.Shape)}].");
        }

        double[] raw = array.DType switch
        {
            NpyDType.Int64 => array.ToInt64Array().Select(v => (double)v).ToArray(),
            NpyDType.Float32 => array.ToFloatTensor().Data.Select(v => (double)v).ToArray(),
            NpyDType.Float64 => array.ToDoubleTensor().Data,
            _ => throw new InvalidDataException($"{path}: labels must be int64 (or integral floats), not {array.DType}."),
        };
        var labels = new int[raw.Length];
        for (int i = 0; i < raw.Length; i++)
        {
            if (raw[i] < 0 || raw[i] != Math.Floor(raw[i]) || raw[i] > 1000)
            {
                throw new InvalidDataException($"{path}: label {i} is {raw[i]}; labels must be integers in [0, 1000].");
            }

            labels[i] = (int)raw[i];
        }

        return labels;
    }

    private static double Gaussian(Random random)
    {
        double u1 = 1.0 - random.NextDouble();
        double u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
