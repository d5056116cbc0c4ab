using System.Buffers.Binary;
using System.Text;
using BnNative.IO;
using BnNative.Tensors;

namespace BnNative.Tests.IO;

public sealed class NpyHeaderTests
{
    [Fact]
    public void Float32TwoByThreeHasNumPysExactHeader()
    {
        using var stream = new MemoryStream();
        NpyFile.Write(stream, Tensor<float>.Zeros(2, 3).View);
        byte[] file = stream.ToArray();

        // What np.save(f, np.zeros((2, 3), np.float32)) writes: the dict, NumPy's growth padding of
        // 21 − len("2") = 20 spaces, then spaces up to the 64-byte boundary and a newline.
        string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
        byte[] expected =
        [
            .. NpyBytes.Magic, 1, 0, 118, 0,
            .. Encoding.ASCII.GetBytes(dict + new string(' ', 128 - 10 - dict.Length - 1) + "\n"),
        ];
        Assert.Equal(expected, file[..128]);
        Assert.Equal(128 + (6 * sizeof(float)), file.Length);
    }

    [Theory]
    [InlineData(new int[0])]
    [InlineData(new[] { 5 })]
    [InlineData(new[] { 123456789, 0 })]
    [InlineData(new[] { 2, 3, 4, 5, 6 })]
    [InlineData(new[] { 0, 1, 10, 100, 1000, 10000, 100000, int.MaxValue })]
    public void DataStartsAtAMultipleOf64(int[] shape)
    {
        foreach (var dtype in new[] { NpyDType.Float32, NpyDType.Float64, NpyDType.Int64 })
        {
            byte[] file = NpyHeader.Encode(dtype, shape);

            Assert.Equal(1, file[6]);
            Assert.Equal(file.Length, NpyBytes.DataOffset(file));
            Assert.Equal(0, file.Length % 64);
            Assert.Equal((byte)'\n', file[^1]);
            Assert.Matches(@"^\{'descr': '<[fi][48]', 'fortran_order': False, 'shape': \([0-9, ]*\), \} *\n$", NpyBytes.HeaderText(file));
        }
    }

    [Fact]
    public void PaddingFollowsNumPyIncludingAFull64BytesWhenAlreadyAligned()
    {
        // NumPy's _wrap_header pads by 64 − ((10 + text + 1) mod 64): a header that is already aligned grows by 64.
        bool sawAligned = false;
        for (int rank = 1; rank <= 100; rank++)
        {
            byte[] file = NpyHeader.Encode(NpyDType.Float32, Enumerable.Repeat(1, rank).ToArray());
            string text = NpyBytes.HeaderText(file).TrimEnd() + new string(' ', 20);
            int unpadded = 10 + text.Length + 1;

            Assert.Equal(unpadded + 64 - (unpadded % 64), file.Length);
            sawAligned |= unpadded % 64 == 0;
        }

        Assert.True(sawAligned, "no rank in 1..100 produced an already aligned header; the quirk went untested.");
    }

    [Fact]
    public void AHeaderBeyond65535BytesSwitchesToVersion2LikeNumPy()
    {
        var lengths = Enumerable.Repeat(1, 22_000).ToArray();
        using var stream = new MemoryStream();

        NpyFile.Write(stream, Tensor<float>.FromArray([2.5f], lengths).View);
        byte[] file = stream.ToArray();
        stream.Position = 0;
        var read = NpyFile.Read(stream);

        Assert.Equal(2, file[6]);
        Assert.True(BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(8)) > ushort.MaxValue);
        Assert.Equal(0, NpyBytes.DataOffset(file) % 64);
        Assert.Equal(22_000, read.Rank);
        Assert.Equal([2.5f], read.ToFloatTensor().Data);
    }
}
