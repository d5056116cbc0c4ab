using BnNative.Collections;

namespace BnNative.Tests.Core;

public sealed class ReadOnlyVectorTests
{
    [Fact]
    public void CreateCopiesTheSource()
    {
        var source = new[] { 1.0, 2.0, 3.0 };
        var vector = ReadOnlyVector.Create<double>(source);

        source[1] = 20;

        Assert.Equal([1.0, 2.0, 3.0], vector);
        Assert.Equal(2.0, vector[1]);
    }

    [Fact]
    public void ToArrayReturnsACopy()
    {
        var vector = ReadOnlyVector.Create(1, 2, 3);
        var array = vector.ToArray();

        array[0] = 10;

        Assert.Equal(1, vector[0]);
        Assert.Equal(3, vector.Length);
    }

    [Fact]
    public void EqualityAndHashFollowContents()
    {
        var a = ReadOnlyVector.Create(1.0, 2.0);
        var same = ReadOnlyVector.Create(1.0, 2.0);

        Assert.True(a.Equals(same));
        Assert.True(a == same);
        Assert.False(a != same);
        Assert.Equal(a.GetHashCode(), same.GetHashCode());
        Assert.False(a == ReadOnlyVector.Create(1.0, 2.5));
        Assert.False(a == ReadOnlyVector.Create(1.0));
        Assert.False(a == ReadOnlyVector.Create(1.0, 2.0, 0.0));
        Assert.False(a.Equals(null));
        Assert.True((ReadOnlyVector<double>?)null == null);
    }

    [Fact]
    public void NaNEqualsNaNAndZeroEqualsNegativeZero()
    {
        var nan = ReadOnlyVector.Create(double.NaN);
        var zero = ReadOnlyVector.Create(0.0);
        var negativeZero = ReadOnlyVector.Create(-0.0);

        Assert.Equal(nan, ReadOnlyVector.Create(double.NaN));
        Assert.Equal(zero, negativeZero);
        Assert.Equal(zero.GetHashCode(), negativeZero.GetHashCode());
    }

    [Fact]
    public void FilledAndSelect()
    {
        var filled = ReadOnlyVector<double>.Filled(3, 0.5);

        Assert.Equal([0.5, 0.5, 0.5], filled);
        Assert.Equal([1.0, 1.0, 1.0], filled.Select(v => v * 2));
        Assert.Equal("[0.5, 0.5, 0.5]", filled.ToString());
        Assert.Equal(ReadOnlyVector<double>.Empty, ReadOnlyVector<double>.Filled(0, 1));
        ParamAssert.Throws<ArgumentOutOfRangeException>("length", () => ReadOnlyVector<double>.Filled(-1, 0));
        ParamAssert.Throws<ArgumentNullException>("map", () => filled.Select<int>(null!));
    }
}
