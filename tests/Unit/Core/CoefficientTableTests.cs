using BnNative.Kernels;

namespace BnNative.Tests.Core;

/// <summary>
/// The coefficient table's layout (row j of channel c at j·Stride + c, each row's start repeated after its end) over
/// pooled storage or over storage the caller keeps (a layer's, so that a call rents nothing).
/// </summary>
public sealed class CoefficientTableTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(16)]
    [InlineData(64)]
    public void SealRepeatsEachRowsStartAfterItsEnd(int channels)
    {
        var storage = new float[CoefficientTable<float>.Length(channels, 2)];
        using var table = new CoefficientTable<float>(channels, 2, storage);
        for (int c = 0; c < channels; c++)
        {
            table.Row(0)[c] = c;
            table.Row(1)[c] = 1000 + c;
        }

        table.Seal();

        Assert.Same(storage, table.Values);
        for (int k = 0; k < CoefficientTable<float>.Wrap; k++)
        {
            Assert.Equal(k % channels, storage[channels + k]);
            Assert.Equal(1000 + (k % channels), storage[table.Stride + channels + k]);
        }
    }

    [Fact]
    public void StorageTheCallerKeepsOutlivesTheTable()
    {
        var storage = new float[CoefficientTable<float>.Length(8, 3)];
        var table = new CoefficientTable<float>(8, 3, storage);
        table.Row(2)[7] = 42;
        table.Dispose();

        // Dispose forgets the storage without returning it to the pool: the caller's array keeps its contents.
        Assert.Equal(42, storage[(2 * table.Stride) + 7]);
        Assert.Throws<ObjectDisposedException>(() => table.Values);
    }

    [Fact]
    public void StorageTooShortForTheTableIsRefused()
    {
        var storage = new float[CoefficientTable<float>.Length(8, 3) - 1];

        var error = Assert.Throws<ArgumentException>(() => new CoefficientTable<float>(8, 3, storage));

        Assert.Equal("storage", error.ParamName);
    }
}
