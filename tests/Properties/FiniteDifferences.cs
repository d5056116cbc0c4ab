namespace BnNative.Tests.Properties;

/// <summary>Central finite differences, and the loss they difference, for the gradient properties (plain BN backward, renorm backward).</summary>
internal static class FiniteDifferences
{
    /// <summary>(loss(at + h) − loss(at − h)) / (the step actually taken after rounding).</summary>
    public static double Central(Func<double, double> loss, double at, double h)
    {
        double above = at + h;
        double below = at - h;
        return (loss(above) - loss(below)) / (above - below);
    }

    /// <summary>A copy of <paramref name="values"/> with entry <paramref name="i"/> replaced.</summary>
    public static double[] Replace(double[] values, int i, double value)
    {
        var copy = (double[])values.Clone();
        copy[i] = value;
        return copy;
    }

    /// <summary>The loss Σ w·y over row-major positions, summed with Neumaier's compensation so that it rounds once.</summary>
    public static double Dot(double[] w, double[] y)
    {
        double sum = 0;
        double compensation = 0;
        for (int i = 0; i < w.Length; i++)
        {
            double term = w[i] * y[i];
            double next = sum + term;
            compensation += Math.Abs(sum) >= Math.Abs(term) ? (sum - next) + term : (term - next) + sum;
            sum = next;
        }

        return sum + compensation;
    }
}
