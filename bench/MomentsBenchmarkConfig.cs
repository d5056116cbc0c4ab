using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace BnNative.Benchmarks;

/// <summary>A short job (the kernels are memory-bound and stable to a few percent) plus the bandwidth columns.</summary>
public sealed class MomentsBenchmarkConfig : ManualConfig
{
    /// <summary>Creates the config.</summary>
    public MomentsBenchmarkConfig()
    {
        AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(12)
            .WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(250)));
        AddColumn(new BandwidthColumn(floorRatio: false), new BandwidthColumn(floorRatio: true));
        AddColumn(StatisticColumn.Median);
        WithOrderer(new BenchmarkDotNet.Order.DefaultOrderer(BenchmarkDotNet.Order.SummaryOrderPolicy.Declared));
    }

    /// <summary>GB/s read (tensor bytes / median time), or the ratio floor median / kernel median in percent.</summary>
    private sealed class BandwidthColumn(bool floorRatio) : IColumn
    {
        public string Id => floorRatio ? "FloorRatio" : "GBps";

        public string ColumnName => floorRatio ? "% of floor" : "GB/s";

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Custom;

        public int PriorityInCategory => floorRatio ? 1 : 0;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => floorRatio
            ? "Read-floor median time / this row's median time, same shape and threads, same run (100% = as fast as a plain vectorized read)"
            : "Tensor bytes read per second (median)";

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

        public bool IsAvailable(Summary summary) => true;

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            double? median = Median(summary, benchmarkCase);
            if (median is null)
            {
                return "-";
            }

            var shape = (MomentsShape)benchmarkCase.Parameters["Shape"];
            if (!floorRatio)
            {
                return (shape.Elements * sizeof(float) / median.Value).ToString("F1", System.Globalization.CultureInfo.InvariantCulture);
            }

            var floor = summary.BenchmarksCases.FirstOrDefault(c =>
                (string)c.Parameters["Backend"] == "floor"
                && Equals(c.Parameters["Shape"], benchmarkCase.Parameters["Shape"])
                && Equals(c.Parameters["Threads"], benchmarkCase.Parameters["Threads"]));
            double? floorMedian = floor is null ? null : Median(summary, floor);
            return floorMedian is null
                ? "-"
                : (100 * floorMedian.Value / median.Value).ToString("F0", System.Globalization.CultureInfo.InvariantCulture) + "%";
        }

        private static double? Median(Summary summary, BenchmarkCase benchmarkCase) =>
            summary[benchmarkCase]?.ResultStatistics?.Median;
    }
}
