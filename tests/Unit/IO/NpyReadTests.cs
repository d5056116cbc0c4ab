using BnNative.IO;

namespace BnNative.Tests.IO;

/// <summary>Reading files this library does not write: other versions, orders and spellings.</summary>
public sealed class NpyReadTests
{
    [Fact]
    public void AFortranOrderTwoByThreeArrayIsReadInCOrder()
    {
        // [[1, 2, 3], [4, 5, 6]] stored column by column.
        byte[] file = NpyBytes.Simple("<f4", "(2, 3)", NpyBytes.Floats(1, 4, 2, 5, 3, 6), fortranOrder: true);

        var tensor = Read(file).ToFloatTensor();

        Assert.Equal([2, 3], tensor.Lengths.ToArray());
        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f], tensor.Data);
    }

    [Fact]
    public void AFortranOrderRank3ArrayIsReadInCOrder()
    {
        // Element (i, j, k) = 100i + 10j + k sits at i + 2j + 6k in column-major order.
        var stored = new long[2 * 3 * 4];
        for (int i = 0; i < 2; i++)
        {
            for (int j = 0; j < 3; j++)
            {
                for (int k = 0; k < 4; k++)
                {
                    stored[i + (2 * j) + (6 * k)] = (100 * i) + (10 * j) + k;
                }
            }
        }

        var values = Read(NpyBytes.Simple("<i8", "(2, 3, 4)", NpyBytes.Longs(stored), fortranOrder: true)).ToInt64Array();

        var expected = from i in Enumerable.Range(0, 2)
                       from j in Enumerable.Range(0, 3)
                       from k in Enumerable.Range(0, 4)
                       select (100L * i) + (10L * j) + k;
        Assert.Equal(expected, values);
    }

    [Fact]
    public void FortranOrderWithAnEmptyAxisOrRank1IsAsIs()
    {
        Assert.Empty(Read(NpyBytes.Simple("<f8", "(0, 3)", [], fortranOrder: true)).ToDoubleTensor().Data);
        Assert.Equal([1.0, 2.0], Read(NpyBytes.Simple("<f8", "(2,)", NpyBytes.Doubles(1, 2), fortranOrder: true)).ToDoubleTensor().Data);
    }

    [Fact]
    public void AVersion2HeaderIsRead()
    {
        byte[] file = NpyBytes.Build("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }    \n", NpyBytes.Doubles(1.5, -2, 1e300), major: 2);

        var read = Read(file);

        Assert.Equal([3], read.Shape.ToArray());
        Assert.Equal([1.5, -2, 1e300], read.ToDoubleTensor().Data);
    }

    [Fact]
    public void AVersion3HeaderIsReadAsUtf8()
    {
        byte[] file = NpyBytes.Build("{'descr': '<i8', 'fortran_order': False, 'shape': (), }\n", NpyBytes.Longs(7), major: 3);

        Assert.Equal(7, Read(file).AsInt64Scalar());
    }

    [Fact]
    public void BigEndianDataIsConvertedToHostOrder()
    {
        byte[] f4 = [.. NpyBytes.Floats(1.5f, -3f).Chunk(4).SelectMany(b => b.Reverse())];
        byte[] f8 = [.. NpyBytes.Doubles(0.1).Reverse()];
        byte[] i8 = [.. NpyBytes.Longs(0x0102030405060708).Reverse()];

        Assert.Equal([1.5f, -3f], Read(NpyBytes.Simple(">f4", "(2,)", f4)).ToFloatTensor().Data);
        Assert.Equal([0.1], Read(NpyBytes.Simple(">f8", "(1,)", f8)).ToDoubleTensor().Data);
        Assert.Equal(0x0102030405060708, Read(NpyBytes.Simple(">i8", "()", i8)).AsInt64Scalar());
    }

    [Theory]
    [InlineData("|f4")]
    [InlineData("=f4")]
    [InlineData("f4")]
    public void NativeOrNotApplicableByteOrderIsReadAsLittleEndian(string descr)
    {
        Assert.Equal([1.5f], Read(NpyBytes.Simple(descr, "(1,)", NpyBytes.Floats(1.5f))).ToFloatTensor().Data);
    }

    [Fact]
    public void OlderSpellingsAreAccepted()
    {
        // Python 2 longs, double quotes, keys in another order, no trailing comma, tabs and no final newline.
        byte[] file = NpyBytes.Build("{\"shape\":(2L,\t1L),\"fortran_order\":False,\"descr\":\"<f4\"}", NpyBytes.Floats(1, 2));

        var read = Read(file);

        Assert.Equal([2, 1], read.Shape.ToArray());
        Assert.Equal([1f, 2f], read.ToFloatTensor().Data);
    }

    [Fact]
    public void AScalarAndAnEmptyArrayAreRead()
    {
        Assert.Equal([3.25f], Read(NpyBytes.Simple("<f4", "()", NpyBytes.Floats(3.25f))).ToFloatTensor().Data);

        var empty = Read(NpyBytes.Simple("<f4", "(4, 0, 2)", []));
        Assert.Equal(0, empty.ElementCount);
        Assert.Equal([4, 0, 2], empty.ToFloatTensor().Lengths.ToArray());
    }

    [Fact]
    public void AForwardOnlyStreamIsRead()
    {
        byte[] file = NpyBytes.Simple("<f8", "(2,)", NpyBytes.Doubles(1, 2));

        Assert.Equal([1.0, 2.0], NpyFile.Read(NpyBytes.ForwardOnly(file)).ToDoubleTensor().Data);
    }

    private static NpyArray Read(byte[] file) => NpyFile.Read(new MemoryStream(file));
}
