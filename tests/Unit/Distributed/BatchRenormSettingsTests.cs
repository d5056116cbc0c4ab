using System.Globalization;
using BnNative.Normalization;
using BnNative.Tests.Core;

namespace BnNative.Tests.Distributed;

/// <summary><see cref="BatchRenorm"/> (SPEC §8): defaults, every rejected bound with its parameter name, and <see cref="BatchRenorm.Parse"/>.</summary>
public sealed class BatchRenormSettingsTests
{
    [Fact]
    public void TheConstructorSetsTheBoundsAndTheRenormMomentumDefaultsTo099()
    {
        var renorm = new BatchRenorm(3, 5);

        Assert.Equal((3.0, 5.0, 0.99), (renorm.RMax, renorm.DMax, renorm.Momentum));
        Assert.Equal(new BatchRenorm(3, 5), renorm);
        Assert.NotEqual(new BatchRenorm(3, 5) { Momentum = 0.9 }, renorm);
        Assert.Equal((1.0, 0.0), (new BatchRenorm(1, 0).RMax, new BatchRenorm(1, 0).DMax));
    }

    [Theory]
    [InlineData(0.999)]
    [InlineData(0)]
    [InlineData(-3)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void RMaxBelowOneOrNotFiniteIsRejected(double rMax)
    {
        var error = ParamAssert.Throws<ArgumentOutOfRangeException>("RMax", () => new BatchRenorm(3, 5) { RMax = rMax });
        Assert.Contains("RMax", error.Message, StringComparison.Ordinal);

        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchRenorm(rMax, 5));
    }

    [Theory]
    [InlineData(-1e-12)]
    [InlineData(-5)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void DMaxNegativeOrNotFiniteIsRejected(double dMax)
    {
        var error = ParamAssert.Throws<ArgumentOutOfRangeException>("DMax", () => new BatchRenorm(3, 5) { DMax = dMax });
        Assert.Contains("DMax", error.Message, StringComparison.Ordinal);

        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchRenorm(3, dMax));
    }

    /// <summary>
    /// The constructor's exceptions should name its own parameters (rMax, dMax), as <see cref="BatchNormState{T}"/>'s
    /// constructor does (movingVariance) while its init setters name the property (MovingVariance).
    /// </summary>
    [Fact]
    public void TheConstructorNamesItsOwnParameters()
    {
        ParamAssert.Throws<ArgumentOutOfRangeException>("rMax", () => new BatchRenorm(0.5, 5));
        ParamAssert.Throws<ArgumentOutOfRangeException>("dMax", () => new BatchRenorm(3, -1));
    }

    [Theory]
    [InlineData(-0.01)]
    [InlineData(1.01)]
    [InlineData(double.NaN)]
    [InlineData(double.NegativeInfinity)]
    public void RenormMomentumOutsideZeroOneIsRejected(double momentum)
    {
        var error = ParamAssert.Throws<ArgumentOutOfRangeException>("Momentum", () => new BatchRenorm(3, 5) { Momentum = momentum });

        Assert.Contains("[0, 1]", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    public void RenormMomentumAcceptsTheEnds(double momentum) => Assert.Equal(momentum, new BatchRenorm(3, 5) { Momentum = momentum }.Momentum);

    [Theory]
    [InlineData("3,5", 3, 5)]
    [InlineData(" 1.5 , 0 ", 1.5, 0)]
    [InlineData("1e1,2.5", 10, 2.5)]
    [InlineData("1,0", 1, 0)]
    public void ParseReadsRMaxCommaDMax(string text, double rMax, double dMax)
    {
        var parsed = BatchRenorm.Parse(text);

        Assert.Equal(new BatchRenorm(rMax, dMax), parsed);
        Assert.Equal(0.99, parsed.Momentum);
    }

    [Fact]
    public void ParseIgnoresTheCurrentCulture()
    {
        var saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");

            Assert.Equal(new BatchRenorm(2.5, 0.5), BatchRenorm.Parse("2.5,0.5"));
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("3")]
    [InlineData("3,5,7")]
    [InlineData("3;5")]
    [InlineData("3 5")]
    [InlineData("a,5")]
    [InlineData("3,")]
    [InlineData(",5")]
    [InlineData("3,5x")]
    [InlineData("3,5,")]
    public void ParseRejectsTextThatIsNotTwoNumbers(string text)
    {
        var error = Assert.Throws<FormatException>(() => BatchRenorm.Parse(text));

        Assert.Contains($"'{text}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("RMAX,DMAX", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseRejectsOutOfRangeBoundsAndNull()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => BatchRenorm.Parse("0.5,5"));
        Assert.Throws<ArgumentOutOfRangeException>(() => BatchRenorm.Parse("3,-1"));
        Assert.Throws<ArgumentOutOfRangeException>(() => BatchRenorm.Parse("NaN,5"));
        ParamAssert.Throws<ArgumentNullException>("text", () => BatchRenorm.Parse(null!));
    }
}
