using BnNative.Sync;
using Xunit.Sdk;

namespace BnNative.Tests.Distributed;

/// <summary>What one replica ended with: its value, or the exception it threw.</summary>
/// <typeparam name="T">The body's result type.</typeparam>
internal sealed record Outcome<T>(T? Value, Exception? Error)
{
    /// <summary>The value, failing the test with the replica's exception when it threw.</summary>
    public T Result => Error is null ? Value! : throw new XunitException($"The replica threw {Error}");
}

/// <summary>
/// Runs replicas of a <see cref="ReplicaGroup"/> on their own threads and records each one's outcome separately.
/// Unlike <see cref="ReplicaGroup.Run{TResult}"/> it does not abort the group when a body throws, so a test sees
/// whether the library itself unblocks the others (through <see cref="IStatisticsExchange.Fail"/>). A run that does
/// not finish within <see cref="HangLimit"/> fails the test and aborts the group, so no thread stays blocked.
/// </summary>
internal static class Replicas
{
    /// <summary>Hang guard: far above what any of these tests needs (milliseconds), never a timing assertion.</summary>
    public static readonly TimeSpan HangLimit = TimeSpan.FromSeconds(10);

    /// <summary>Runs <paramref name="body"/> on every replica of a new group of <paramref name="size"/>.</summary>
    public static Task<Outcome<T>[]> Each<T>(int size, Func<IStatisticsExchange, T> body) => Each(new ReplicaGroup(size), body);

    /// <summary>Runs <paramref name="body"/> on every replica of <paramref name="group"/>.</summary>
    public static async Task<Outcome<T>[]> Each<T>(ReplicaGroup group, Func<IStatisticsExchange, T> body)
    {
        var tasks = new Task<Outcome<T>>[group.Size];
        for (int rank = 0; rank < tasks.Length; rank++)
        {
            var exchange = group.Replica(rank);
            tasks[rank] = Task.Factory.StartNew(
                () =>
                {
                    try
                    {
                        return new Outcome<T>(body(exchange), null);
                    }
                    catch (Exception e)
                    {
                        return new Outcome<T>(default, e);
                    }
                },
                CancellationToken.None,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default);
        }

        return await Guard(Task.WhenAll(tasks), () => group.Abort(new TimeoutException("Test hang guard.")));
    }

    /// <summary>Awaits <paramref name="work"/> for at most <see cref="HangLimit"/>; on a hang runs <paramref name="release"/> and fails.</summary>
    public static async Task<T> Guard<T>(Task<T> work, Action? release = null)
    {
        try
        {
            return await work.WaitAsync(HangLimit);
        }
        catch (TimeoutException) when (!work.IsCompleted)
        {
            release?.Invoke();
            throw new XunitException($"Not finished after {HangLimit.TotalSeconds} s: a replica is blocked in a collective.");
        }
    }

    /// <summary>Runs <paramref name="work"/> on a dedicated thread under the hang guard.</summary>
    public static Task<T> Guard<T>(Func<T> work, Action? release = null) =>
        Guard(Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default), release);
}

/// <summary>Element-wise comparisons with a relative tolerance.</summary>
internal static class Near
{
    /// <summary>Default: every expected value here is a few double roundings away from the computed one.</summary>
    public const double Tight = 1e-13;

    /// <summary>Asserts |actual − expected| ≤ tolerance·max(1, |expected|) element-wise, with the same length.</summary>
    public static void Equal(IReadOnlyList<double> expected, IReadOnlyList<double> actual, double tolerance = Tight, string what = "value")
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            double allowed = tolerance * Math.Max(1, Math.Abs(expected[i]));
            Assert.True(
                Math.Abs(actual[i] - expected[i]) <= allowed,
                $"{what}[{i}] = {actual[i]:R}, expected {expected[i]:R} ± {allowed:G3}");
        }
    }

    /// <summary>As <see cref="Equal(IReadOnlyList{double}, IReadOnlyList{double}, double, string)"/> for float results.</summary>
    public static void Equal(IReadOnlyList<double> expected, IReadOnlyList<float> actual, double tolerance, string what = "value") =>
        Equal(expected, actual.Select(v => (double)v).ToArray(), tolerance, what);
}

/// <summary>
/// Batch norm of a row-major [rows, channels] batch by plain double loops (two passes), the oracle of the
/// hand-worked cases: y = gamma·(r·(x − mu)/sqrt(s2 + eps) + d) + beta over rows [start, start + length).
/// </summary>
internal static class PlainLoops
{
    /// <summary>Per channel mean and biased variance of rows [start, start + length).</summary>
    public static (double[] Mean, double[] Variance) Moments(double[] x, int channels, int start, int length)
    {
        var mean = new double[channels];
        var variance = new double[channels];
        for (int c = 0; c < channels; c++)
        {
            for (int i = start; i < start + length; i++)
            {
                mean[c] += x[(i * channels) + c];
            }

            mean[c] /= length;
            for (int i = start; i < start + length; i++)
            {
                double d = x[(i * channels) + c] - mean[c];
                variance[c] += d * d;
            }

            variance[c] /= length;
        }

        return (mean, variance);
    }

    /// <summary>Writes the normalized rows [start, start + length) of <paramref name="x"/> into <paramref name="y"/>.</summary>
    public static void Normalize(
        double[] x, double[] y, int channels, int start, int length, double[] gamma, double[] beta, double eps,
        double[]? r = null, double[]? d = null)
    {
        var (mean, variance) = Moments(x, channels, start, length);
        for (int i = start; i < start + length; i++)
        {
            for (int c = 0; c < channels; c++)
            {
                double xhat = (x[(i * channels) + c] - mean[c]) / Math.Sqrt(variance[c] + eps);
                y[(i * channels) + c] = (gamma[c] * (((r?[c] ?? 1) * xhat) + (d?[c] ?? 0))) + beta[c];
            }
        }
    }

    /// <summary>
    /// The training backward pass of rows [start, start + length) with renorm factors r, d (1, 0 for plain BN):
    /// dx = gamma·r·invstd·(dy − mean(dy) − xhat·mean(dy·xhat)); adds Σdy·(r·xhat + d) to dgamma and Σdy to dbeta.
    /// </summary>
    public static void Backward(
        double[] x, double[] dy, double[] dx, double[] dgamma, double[] dbeta, int channels, int start, int length, double[] gamma,
        double eps, double[]? r = null, double[]? d = null)
    {
        var (mean, variance) = Moments(x, channels, start, length);
        for (int c = 0; c < channels; c++)
        {
            double invstd = 1 / Math.Sqrt(variance[c] + eps);
            double rc = r?[c] ?? 1;
            double meanDy = 0;
            double meanDyXhat = 0;
            for (int i = start; i < start + length; i++)
            {
                double xhat = (x[(i * channels) + c] - mean[c]) * invstd;
                meanDy += dy[(i * channels) + c];
                meanDyXhat += dy[(i * channels) + c] * xhat;
                dgamma[c] += dy[(i * channels) + c] * ((rc * xhat) + (d?[c] ?? 0));
                dbeta[c] += dy[(i * channels) + c];
            }

            meanDy /= length;
            meanDyXhat /= length;
            for (int i = start; i < start + length; i++)
            {
                double xhat = (x[(i * channels) + c] - mean[c]) * invstd;
                dx[(i * channels) + c] = gamma[c] * rc * invstd * (dy[(i * channels) + c] - meanDy - (xhat * meanDyXhat));
            }
        }
    }
}
