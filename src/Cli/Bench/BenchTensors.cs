using BnNative.Tensors;

namespace BnNative.Cli.Bench;

/// <summary>
/// The tensors of one <see cref="BenchCase"/>: x, its output y, the upstream gradient dy and the input gradient dx,
/// each a view in the case's layout over a buffer of its own. x ~ U(0, 1) and dy ~ U(−0.5, 0.5) from a fixed seed.
/// The buffers are pinned and contiguous, so the bandwidth floors read and write them directly.
/// </summary>
internal sealed class BenchTensors
{
    /// <summary>The seed of x and dy.</summary>
    public const int Seed = 42;

    private BenchTensors(BenchCase benchCase)
    {
        Case = benchCase;

        // One pinned block, each tensor 64-byte aligned and in its own quarter of a 4 KiB page (x at 0, dy at 1 KiB, y at
        // 2 KiB, dx at 3 KiB): where the GC happened to put four arrays, a copy whose destination sat a few bytes above
        // its source modulo 4 KiB ran up to 3× slower in cache (4K aliasing), so the floor, and every ratio to it,
        // changed from one run to the next with the arrays' placement.
        int elements = benchCase.Elements;
        long span = ((((long)elements * sizeof(float)) + PageBytes - 1) / PageBytes * PageBytes) + PageBytes;
        _storage = GC.AllocateArray<float>(checked((int)(((4 * span) + PageBytes) / sizeof(float))), pinned: true);
        int first = FirstPage(_storage);
        XData = Place(first, span, 0, elements);
        DyData = Place(first, span, 1, elements);
        YData = Place(first, span, 2, elements);
        DxData = Place(first, span, 3, elements);
        var random = new Random(Seed);
        var x = XData.AsSpan();
        var dy = DyData.AsSpan();
        for (int i = 0; i < elements; i++)
        {
            x[i] = random.NextSingle();
            dy[i] = random.NextSingle() - 0.5f;
        }

        ChannelAxis = benchCase.Layout is BenchLayout.Nchw or BenchLayout.Rows ? 1 : 3;
        X = View(XData);
        Y = View(YData);
        Dy = View(DyData);
        Dx = View(DxData);
    }

    /// <summary>The case these tensors were built for.</summary>
    public BenchCase Case { get; }

    /// <summary>The channel axis of the views: 1 for <c>nchw</c> and <c>rows</c>, 3 for <c>nhwc</c> and <c>permuted</c>.</summary>
    public int ChannelAxis { get; }

    /// <summary>The input.</summary>
    public TensorView<float> X { get; }

    /// <summary>The forward output (train and infer write it).</summary>
    public TensorView<float> Y { get; }

    /// <summary>The upstream gradient.</summary>
    public TensorView<float> Dy { get; }

    /// <summary>The input gradient (backward writes it).</summary>
    public TensorView<float> Dx { get; }

    /// <summary>The buffer behind <see cref="X"/>.</summary>
    public ArraySegment<float> XData { get; }

    /// <summary>The buffer behind <see cref="Y"/>.</summary>
    public ArraySegment<float> YData { get; }

    /// <summary>The buffer behind <see cref="Dy"/>.</summary>
    public ArraySegment<float> DyData { get; }

    /// <summary>The buffer behind <see cref="Dx"/>.</summary>
    public ArraySegment<float> DxData { get; }

    /// <summary>Allocates and fills the tensors of <paramref name="benchCase"/>.</summary>
    public static BenchTensors Create(BenchCase benchCase)
    {
        ArgumentNullException.ThrowIfNull(benchCase);
        return new BenchTensors(benchCase);
    }

    /// <summary>Bytes of the address bits that 4K aliasing compares.</summary>
    private const int PageBytes = 4096;

    private readonly float[] _storage;

    /// <summary>The index of the first element of <paramref name="storage"/> on a 4 KiB boundary.</summary>
    private static unsafe int FirstPage(float[] storage)
    {
        fixed (float* p = storage)
        {
            return (int)((PageBytes - ((nint)p % PageBytes)) % PageBytes) / sizeof(float);
        }
    }

    /// <summary>Tensor <paramref name="index"/>'s elements: <paramref name="index"/> blocks of <paramref name="span"/> bytes and a quarter page per index past the first page.</summary>
    private ArraySegment<float> Place(int first, long span, int index, int elements) =>
        new(_storage, first + (int)(((index * span) + (index * PageBytes / 4)) / sizeof(float)), elements);

    private TensorView<float> View(ArraySegment<float> data)
    {
        var l = Case.Lengths;
        return Case.Layout switch
        {
            BenchLayout.Nchw => TensorView<float>.Create(data, l[0], l[1], l[2], l[3]),
            BenchLayout.Nhwc => TensorView<float>.Create(data, l[0], l[2], l[3], l[1]),
            BenchLayout.Permuted => TensorView<float>.Create(data, l[0], l[1], l[2], l[3]).Permute(0, 2, 3, 1),
            _ => TensorView<float>.Create(data, l[0], l[1]),
        };
    }
}
