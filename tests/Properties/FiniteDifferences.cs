namespace BnNative.Tests.Properties;

/// <summary>Central finite differences for the gradient properties (plain BN backward, renorm backward).</summary>
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
}
