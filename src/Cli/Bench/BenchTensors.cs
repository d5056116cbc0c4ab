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
        XData = GC.AllocateUninitializedArray<float>(benchCase.Elements, pinned: true);
        DyData = GC.AllocateUninitializedArray<float>(benchCase.Elements, pinned: true);
        YData = GC.AllocateArray<float>(benchCase.Elements, pinned: true);
        DxData = GC.AllocateArray<float>(benchCase.Elements, pinned: true);
        var random = new Random(Seed);
        for (int i = 0; i < XData.Length; i++)
        {
            XData[i] = random.NextSingle();
            DyData[i] = random.NextSingle() - 0.5f;
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
    public float[] XData { get; }

    /// <summary>The buffer behind <see cref="Y"/>.</summary>
    public float[] YData { get; }

    /// <summary>The buffer behind <see cref="Dy"/>.</summary>
    public float[] DyData { get; }

    /// <summary>The buffer behind <see cref="Dx"/>.</summary>
    public float[] DxData { get; }

    /// <summary>Allocates and fills the tensors of <paramref name="benchCase"/>.</summary>
    public static BenchTensors Create(BenchCase benchCase)
    {
        ArgumentNullException.ThrowIfNull(benchCase);
        return new BenchTensors(benchCase);
    }

    private TensorView<float> View(float[] data)
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
