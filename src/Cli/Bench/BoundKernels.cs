using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using BnNative.Kernels;

namespace BnNative.Cli.Bench;

/// <summary>
/// The arithmetic a training, inference or backward step of the library must do, and nothing else, as bare loops (the rows of
/// <c>--api bound</c>): a lower bound for the kernels on the machine at hand, timed against the same floor in the same
/// run. Training: each channel's shifted sums Σ(x − K) and Σ(x − K)² in float over fold blocks of 64 rows, eight
/// 512-bit vectors of channels at a time walked down the rows with the sums in registers and added to double sums after
/// each block (the library's column walk, without its chunks, commits, cancellation checks, merges and tables), then the
/// mean, variance and inverse std per channel in vectors, then the normalize pass. Inference: the normalize pass alone.
/// The normalize pass evaluates (x − m)·a + b as SPEC §4 requires (subtract first), walking rows in memory order with
/// the three coefficient vectors loaded beside each data vector, as the library does for rows wider than 256 floats
/// (and for rows of 256 beyond 512 KB); rows of 256 floats in L2 hold the first eight vectors' coefficients.
/// Backward (the training step's statistics given): Σdy and Σ(x − m)·dy per channel in column groups of eight vectors
/// (the library's walk for two inputs), the
/// factors p, q, r per channel in vectors, then dx = q·(x − m) + (p·dy + r) in memory order with the first six vectors'
/// four coefficients in registers and the rest loaded (the library's walk for two inputs over rows this wide in cache).
/// Not a batch normalization anyone should call: no state, no checks, the shift of a channel is its first row's value,
/// and it covers only what it is for (see <see cref="Supports"/>).
/// </summary>
internal static unsafe class BoundKernels
{
    private const int FoldRows = 64;

    private const int GroupFloats = 128;

    private const int HeldFloats = 256;

    private const float Epsilon = 1e-5f;

    /// <summary>
    /// True when a bound is measured for <paramref name="op"/> on <paramref name="benchCase"/> with
    /// <paramref name="threads"/> threads: rows of channels (<c>rows</c>) whose C is a multiple of 256, one thread, on
    /// hardware with 512-bit vectors, for any of the three operations.
    /// </summary>
    public static bool Supports(BenchOp op, BenchCase benchCase, int threads)
    {
        ArgumentNullException.ThrowIfNull(benchCase);
        return Vector512.IsHardwareAccelerated && benchCase.Layout == BenchLayout.Rows && benchCase.Channels % HeldFloats == 0
            && threads == 1;
    }

    /// <summary>What <see cref="Supports"/> needs, in words, for error messages.</summary>
    public const string Requirement =
        "--api bound times bare loops of the batch-norm arithmetic: --layout rows with C a multiple of 256, --threads 1, "
        + "and a CPU with AVX-512";

    /// <summary>
    /// One call of the bound of <paramref name="op"/> on <paramref name="tensors"/>: x read and y written, or for
    /// backward x and dy read and dx written.
    /// </summary>
    /// <exception cref="ArgumentException"><see cref="Supports"/> is false for them.</exception>
    public static Action Create(BenchOp op, BenchTensors tensors, int threads)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (!Supports(op, tensors.Case, threads))
        {
            throw new ArgumentException($"{Requirement}; got {tensors.Case} {EnumOption.Name(op)} with {threads} threads.", nameof(op));
        }

        int rows = tensors.Case.Lengths[0];
        int channels = tensors.Case.Channels;
        float* x = Pointer(tensors.XData);
        float* y = Pointer(tensors.YData);

        // Coefficients m, a, b (one row each), the shifts and the double sums, pinned for the life of the action. The
        // coefficient rows lie halfway between the output rows in the low 12 address bits, as the library places its
        // copy (PageAliasing.AwayFromRows): on the same bits, each load waits for a pending store to y (4K aliasing),
        // which made this loop 1.6× slower than the library's at [256, 256].
        var coefficients = GC.AllocateArray<float>((3 * channels) + ((PageAliasing.PageBytes + 64) / sizeof(float)), pinned: true);
        var shiftValues = GC.AllocateArray<float>(channels, pinned: true);
        var sums = GC.AllocateArray<double>(2 * channels, pinned: true);
        float* m = PageAliasing.AwayFromRows(Pointer(coefficients), y, (long)channels * sizeof(float), 64);
        float* shifts = Pointer(shiftValues);
        double* s = Pointer(sums);
        if (op == BenchOp.Backward)
        {
            return Backward(tensors, rows, channels);
        }

        if (op == BenchOp.Infer)
        {
            // Moving statistics of the initial state: mean 0, variance 1.
            for (int c = 0; c < channels; c++)
            {
                m[c] = 0;
                m[channels + c] = 1 / MathF.Sqrt(1 + Epsilon);
                m[(2 * channels) + c] = 0;
            }

            return () =>
            {
                Normalize(x, y, rows, channels, m);
                GC.KeepAlive(coefficients);
            };
        }

        return () =>
        {
            Moments(x, rows, channels, shifts, s);
            Finish(s, shifts, rows, channels, m);
            Normalize(x, y, rows, channels, m);
            GC.KeepAlive(coefficients);
            GC.KeepAlive(shiftValues);
            GC.KeepAlive(sums);
        };
    }

    /// <summary>
    /// The backward bound: the batch statistics of x come first (as the training step before a backward pass gives
    /// them), then each call sums, finishes and writes dx.
    /// </summary>
    private static Action Backward(BenchTensors tensors, int rows, int channels)
    {
        float* x = Pointer(tensors.XData);
        float* dy = Pointer(tensors.DyData);
        float* dx = Pointer(tensors.DxData);
        var statistics = GC.AllocateArray<float>(2 * channels, pinned: true);
        var shiftValues = GC.AllocateArray<float>(channels, pinned: true);
        var sums = GC.AllocateArray<double>(2 * channels, pinned: true);
        var factors = GC.AllocateArray<float>((4 * channels) + ((PageAliasing.PageBytes + 64) / sizeof(float)), pinned: true);
        float* mean = Pointer(statistics);
        float* inverseStd = mean + channels;
        double* s = Pointer(sums);
        float* k = PageAliasing.AwayFromRows(Pointer(factors), dx, (long)channels * sizeof(float), 64);

        // The training step's statistics: its normalize coefficients (gamma 1) are the mean and the inverse std.
        var table = GC.AllocateArray<float>(3 * channels, pinned: true);
        Moments(x, rows, channels, Pointer(shiftValues), s);
        Finish(s, Pointer(shiftValues), rows, channels, Pointer(table));
        table.AsSpan(0, 2 * channels).CopyTo(statistics);
        return () =>
        {
            GradientSums(x, dy, rows, channels, mean, s);
            GradientFactors(s, inverseStd, mean, rows, channels, k);
            InputGradient(x, dy, dx, rows, channels, k);
            GC.KeepAlive(statistics);
            GC.KeepAlive(sums);
            GC.KeepAlive(factors);
        };
    }

    /// <summary>
    /// Per channel, eight at a time in double: p = s, q = −s³·Σ(x − m)dy/n, r = −s·Σdy/n (γ = 1, s the inverse std),
    /// stored as the rows m, p, q, r of <paramref name="k"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void GradientFactors(double* sums, float* inverseStd, float* mean, int rows, int channels, float* k)
    {
        var n = Vector512.Create((double)rows);
        for (int c = 0; c < channels; c += Vector512<double>.Count)
        {
            var sd = Vector512.WidenLower(Vector256.Load(inverseStd + c).ToVector512());
            var sumDy = Vector512.Load(sums + c);
            var dot = Vector512.Load(sums + channels + c);
            var q = -(sd * sd * sd * dot / n);
            var r = -(sd * sumDy / n);
            Vector256.Load(mean + c).Store(k + c);
            Vector512.Narrow(sd, sd).GetLower().Store(k + channels + c);
            Vector512.Narrow(q, q).GetLower().Store(k + (2 * channels) + c);
            Vector512.Narrow(r, r).GetLower().Store(k + (3 * channels) + c);
        }
    }

    /// <summary>
    /// dx = q·(x − m) + (p·dy + r), rows in memory order: the first six vectors' four coefficients in registers (24 of
    /// the 32), the rest loaded beside the data, as the library's held row walk does.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void InputGradient(float* x, float* dy, float* dx, int rows, int channels, float* k)
    {
        var (m0, p0, q0, r0) = Factors(k, channels);
        var (m1, p1, q1, r1) = Factors(k + 16, channels);
        var (m2, p2, q2, r2) = Factors(k + 32, channels);
        var (m3, p3, q3, r3) = Factors(k + 48, channels);
        var (m4, p4, q4, r4) = Factors(k + 64, channels);
        var (m5, p5, q5, r5) = Factors(k + 80, channels);
        for (int r = 0; r < rows; r++, x += channels, dy += channels, dx += channels)
        {
            Gradient(x, dy, dx, m0, p0, q0, r0);
            Gradient(x + 16, dy + 16, dx + 16, m1, p1, q1, r1);
            Gradient(x + 32, dy + 32, dx + 32, m2, p2, q2, r2);
            Gradient(x + 48, dy + 48, dx + 48, m3, p3, q3, r3);
            Gradient(x + 64, dy + 64, dx + 64, m4, p4, q4, r4);
            Gradient(x + 80, dy + 80, dx + 80, m5, p5, q5, r5);
            for (int c = HeldGradientFloats; c < channels; c += 16)
            {
                var (m, p, q, s) = Factors(k + c, channels);
                Gradient(x + c, dy + c, dx + c, m, p, q, s);
            }
        }
    }

    /// <summary>Floats at the head of each row whose four coefficients <see cref="InputGradient"/> holds: six vectors.</summary>
    private const int HeldGradientFloats = 96;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector512<float> M, Vector512<float> P, Vector512<float> Q, Vector512<float> R) Factors(float* k, int channels) =>
        (Vector512.Load(k), Vector512.Load(k + channels), Vector512.Load(k + (2 * channels)), Vector512.Load(k + (3 * channels)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Gradient(float* x, float* dy, float* dx, Vector512<float> m, Vector512<float> p, Vector512<float> q, Vector512<float> r) =>
        Vector512.FusedMultiplyAdd(q, Vector512.Load(x) - m, Vector512.FusedMultiplyAdd(p, Vector512.Load(dy), r)).Store(dx);

    private static float* Pointer(ArraySegment<float> segment) =>
        (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(segment.Array!)) + segment.Offset;

    private static float* Pointer(float[] array) => (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));

    private static double* Pointer(double[] array) => (double*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));

    /// <summary>
    /// The shifted sums: shifts from row 0, then fold blocks of 64 rows, each walked sixteen vectors of channels at a
    /// time (<see cref="HeldGroup"/>, the library's held column walk) and added widened to the double sums.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Moments(float* x, int rows, int channels, float* shifts, double* sums)
    {
        new Span<float>(x, channels).CopyTo(new Span<float>(shifts, channels));
        new Span<double>(sums, 2 * channels).Clear();
        float* spill = stackalloc float[2 * HeldFloats];
        for (int start = 0; start < rows; start += FoldRows)
        {
            int length = Math.Min(FoldRows, rows - start);
            for (int group = 0; group < channels; group += HeldFloats)
            {
                HeldGroup(x + ((long)start * channels) + group, channels, length, shifts + group, spill, sums + group, sums + channels + group);
            }
        }
    }

    /// <summary>
    /// Sixteen vectors of channels down <paramref name="length"/> rows: fifteen sums of each kind in registers, the
    /// sixteenth vector's two in <paramref name="spill"/> (32 sums and the data do not fit 32 registers), then added
    /// widened.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void HeldGroup(float* a, int channels, int length, float* k, float* spill, double* s1, double* s2)
    {
        Vector512<float> p0 = default, p1 = default, p2 = default, p3 = default, p4 = default, p5 = default, p6 = default, p7 = default;
        Vector512<float> p8 = default, p9 = default, p10 = default, p11 = default, p12 = default, p13 = default, p14 = default;
        Vector512<float> q0 = default, q1 = default, q2 = default, q3 = default, q4 = default, q5 = default, q6 = default, q7 = default;
        Vector512<float> q8 = default, q9 = default, q10 = default, q11 = default, q12 = default, q13 = default, q14 = default;
        new Span<float>(spill, 2 * 16).Clear();
        for (int r = 0; r < length; r++, a += channels)
        {
            Held(a, k, ref p0, ref q0);
            Held(a + 16, k + 16, ref p1, ref q1);
            Held(a + 32, k + 32, ref p2, ref q2);
            Held(a + 48, k + 48, ref p3, ref q3);
            Held(a + 64, k + 64, ref p4, ref q4);
            Held(a + 80, k + 80, ref p5, ref q5);
            Held(a + 96, k + 96, ref p6, ref q6);
            Held(a + 112, k + 112, ref p7, ref q7);
            Held(a + 128, k + 128, ref p8, ref q8);
            Held(a + 144, k + 144, ref p9, ref q9);
            Held(a + 160, k + 160, ref p10, ref q10);
            Held(a + 176, k + 176, ref p11, ref q11);
            Held(a + 192, k + 192, ref p12, ref q12);
            Held(a + 208, k + 208, ref p13, ref q13);
            Held(a + 224, k + 224, ref p14, ref q14);
            var p15 = Vector512.Load(spill);
            var q15 = Vector512.Load(spill + 16);
            Held(a + 240, k + 240, ref p15, ref q15);
            p15.Store(spill);
            q15.Store(spill + 16);
        }

        AddWidened(p0, q0, s1, s2);
        AddWidened(p1, q1, s1 + 16, s2 + 16);
        AddWidened(p2, q2, s1 + 32, s2 + 32);
        AddWidened(p3, q3, s1 + 48, s2 + 48);
        AddWidened(p4, q4, s1 + 64, s2 + 64);
        AddWidened(p5, q5, s1 + 80, s2 + 80);
        AddWidened(p6, q6, s1 + 96, s2 + 96);
        AddWidened(p7, q7, s1 + 112, s2 + 112);
        AddWidened(p8, q8, s1 + 128, s2 + 128);
        AddWidened(p9, q9, s1 + 144, s2 + 144);
        AddWidened(p10, q10, s1 + 160, s2 + 160);
        AddWidened(p11, q11, s1 + 176, s2 + 176);
        AddWidened(p12, q12, s1 + 192, s2 + 192);
        AddWidened(p13, q13, s1 + 208, s2 + 208);
        AddWidened(p14, q14, s1 + 224, s2 + 224);
        AddWidened(Vector512.Load(spill), Vector512.Load(spill + 16), s1 + 240, s2 + 240);
    }

    /// <summary>p += x − K, q += (x − K)², the data loaded before the shift so that the shift is a memory operand.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Held(float* a, float* k, ref Vector512<float> p, ref Vector512<float> q)
    {
        var d = Vector512.Load(a) - Vector512.Load(k);
        p += d;
        q = Vector512.FusedMultiplyAdd(d, d, q);
    }

    /// <summary>
    /// Σdy and Σ(x − m)·dy per channel into <paramref name="sums"/> (C first sums, then C second sums), x at
    /// <paramref name="x"/>, dy at <paramref name="y"/>, m at <paramref name="k"/>: fold blocks of 64 rows, each walked
    /// eight vectors of channels at a time with the float sums in registers and added widened after the block.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void GradientSums(float* x, float* y, int rows, int channels, float* k, double* sums)
    {
        new Span<double>(sums, 2 * channels).Clear();
        for (int start = 0; start < rows; start += FoldRows)
        {
            int length = Math.Min(FoldRows, rows - start);
            for (int group = 0; group < channels; group += GroupFloats)
            {
                long offset = ((long)start * channels) + group;
                GradientGroup(x + offset, y + offset, channels, length, k + group, sums + group, sums + channels + group);
            }
        }
    }

    /// <summary>Eight vectors of channels down <paramref name="length"/> rows, the sums in registers, then added widened.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void GradientGroup(float* a, float* b, int channels, int length, float* k, double* s1, double* s2)
    {
        var k0 = Vector512.Load(k);
        var k1 = Vector512.Load(k + 16);
        var k2 = Vector512.Load(k + 32);
        var k3 = Vector512.Load(k + 48);
        var k4 = Vector512.Load(k + 64);
        var k5 = Vector512.Load(k + 80);
        var k6 = Vector512.Load(k + 96);
        var k7 = Vector512.Load(k + 112);
        Vector512<float> p0 = default, p1 = default, p2 = default, p3 = default, p4 = default, p5 = default, p6 = default, p7 = default;
        Vector512<float> q0 = default, q1 = default, q2 = default, q3 = default, q4 = default, q5 = default, q6 = default, q7 = default;
        for (int r = 0; r < length; r++, a += channels, b += channels)
        {
            GradientStep(a, b, k0, ref p0, ref q0);
            GradientStep(a + 16, b + 16, k1, ref p1, ref q1);
            GradientStep(a + 32, b + 32, k2, ref p2, ref q2);
            GradientStep(a + 48, b + 48, k3, ref p3, ref q3);
            GradientStep(a + 64, b + 64, k4, ref p4, ref q4);
            GradientStep(a + 80, b + 80, k5, ref p5, ref q5);
            GradientStep(a + 96, b + 96, k6, ref p6, ref q6);
            GradientStep(a + 112, b + 112, k7, ref p7, ref q7);
        }

        AddWidened(p0, q0, s1, s2);
        AddWidened(p1, q1, s1 + 16, s2 + 16);
        AddWidened(p2, q2, s1 + 32, s2 + 32);
        AddWidened(p3, q3, s1 + 48, s2 + 48);
        AddWidened(p4, q4, s1 + 64, s2 + 64);
        AddWidened(p5, q5, s1 + 80, s2 + 80);
        AddWidened(p6, q6, s1 + 96, s2 + 96);
        AddWidened(p7, q7, s1 + 112, s2 + 112);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddWidened(Vector512<float> p, Vector512<float> q, double* s1, double* s2)
    {
        (Vector512.Load(s1) + Vector512.WidenLower(p)).Store(s1);
        (Vector512.Load(s1 + 8) + Vector512.WidenUpper(p)).Store(s1 + 8);
        (Vector512.Load(s2) + Vector512.WidenLower(q)).Store(s2);
        (Vector512.Load(s2 + 8) + Vector512.WidenUpper(q)).Store(s2 + 8);
    }

    /// <summary>m = K + S1/n, a = 1/√(S2/n − (S1/n)² + ε), b = 0 (γ = 1, β = 0), eight channels at a time in double.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Finish(double* sums, float* shifts, int rows, int channels, float* m)
    {
        var n = Vector512.Create((double)rows);
        var epsilon = Vector512.Create((double)Epsilon);
        for (int c = 0; c < channels; c += Vector512<double>.Count)
        {
            var mean = Vector512.Load(sums + c) / n;
            var variance = (Vector512.Load(sums + channels + c) / n) - (mean * mean);
            var shift = Vector256.Load(shifts + c);
            var a = Vector512<double>.One / Vector512.Sqrt(variance + epsilon);
            var full = Vector512.WidenLower(shift.ToVector512()) + mean;
            Vector512.Narrow(full, full).GetLower().Store(m + c);
            Vector512.Narrow(a, a).GetLower().Store(m + channels + c);
            Vector256<float>.Zero.Store(m + (2 * channels) + c);
        }
    }

    /// <summary>
    /// y = (x − m)·a + b, rows in memory order, the three coefficient vectors loaded with each data vector; rows of 256
    /// floats up to 512 KB (in L2) hold the first eight vectors' coefficients in registers, as the library does there.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Normalize(float* x, float* y, int rows, int channels, float* m)
    {
        if (channels == HeldFloats && (long)rows * channels * sizeof(float) <= HeldBytes)
        {
            NormalizeHeld(x, y, rows, channels, m);
            return;
        }

        for (int r = 0; r < rows; r++, x += channels, y += channels)
        {
            for (int c = 0; c < channels; c += 16)
            {
                var (mc, ac, bc) = NormalizeCoefficients(m + c, channels);
                Normalized(x + c, y + c, mc, ac, bc);
            }
        }
    }

    /// <summary>Floats at the head of each row whose coefficients <see cref="NormalizeHeld"/> holds: eight vectors, 24 of the 32 registers.</summary>
    private const int CoefficientFloats = 128;

    /// <summary>Largest x (bytes) for which <see cref="Normalize"/> holds coefficients: the library's limit.</summary>
    private const long HeldBytes = 512L << 10;

    /// <summary><see cref="Normalize"/> with the first eight vectors' coefficients in registers and the rest loaded.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void NormalizeHeld(float* x, float* y, int rows, int channels, float* m)
    {
        var (m0, a0, b0) = NormalizeCoefficients(m, channels);
        var (m1, a1, b1) = NormalizeCoefficients(m + 16, channels);
        var (m2, a2, b2) = NormalizeCoefficients(m + 32, channels);
        var (m3, a3, b3) = NormalizeCoefficients(m + 48, channels);
        var (m4, a4, b4) = NormalizeCoefficients(m + 64, channels);
        var (m5, a5, b5) = NormalizeCoefficients(m + 80, channels);
        var (m6, a6, b6) = NormalizeCoefficients(m + 96, channels);
        var (m7, a7, b7) = NormalizeCoefficients(m + 112, channels);
        for (int r = 0; r < rows; r++, x += channels, y += channels)
        {
            Normalized(x, y, m0, a0, b0);
            Normalized(x + 16, y + 16, m1, a1, b1);
            Normalized(x + 32, y + 32, m2, a2, b2);
            Normalized(x + 48, y + 48, m3, a3, b3);
            Normalized(x + 64, y + 64, m4, a4, b4);
            Normalized(x + 80, y + 80, m5, a5, b5);
            Normalized(x + 96, y + 96, m6, a6, b6);
            Normalized(x + 112, y + 112, m7, a7, b7);
            for (int c = CoefficientFloats; c < channels; c += 16)
            {
                var (mc, ac, bc) = NormalizeCoefficients(m + c, channels);
                Normalized(x + c, y + c, mc, ac, bc);
            }
        }
    }

    /// <summary>The vectors of m, a and b at <paramref name="m"/> (the rows m, a, b of the table, <paramref name="channels"/> apart).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector512<float> M, Vector512<float> A, Vector512<float> B) NormalizeCoefficients(float* m, int channels) =>
        (Vector512.Load(m), Vector512.Load(m + channels), Vector512.Load(m + (2 * channels)));

    /// <summary>y = (x − m)·a + b for one vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Normalized(float* x, float* y, Vector512<float> m, Vector512<float> a, Vector512<float> b) =>
        Vector512.FusedMultiplyAdd(Vector512.Load(x) - m, a, b).Store(y);

    /// <summary>One vector's step of <see cref="GradientGroup"/>: p += dy, q += (x − m)·dy.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void GradientStep(float* a, float* b, Vector512<float> k, ref Vector512<float> p, ref Vector512<float> q)
    {
        var dy = Vector512.Load(b);
        p += dy;
        q = Vector512.FusedMultiplyAdd(Vector512.Load(a) - k, dy, q);
    }
}
