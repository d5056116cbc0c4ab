using System.Reflection;
using MathNet.Numerics.Providers.LinearAlgebra;

namespace BnNative.Tests.MathNet;

/// <summary>
/// A stand-in for another MathNet provider (MathNet's MKL provider, which cannot run here): every call goes to the
/// managed provider, counted, and <see cref="Corrupt"/> can spoil the result of <c>MatrixMultiplyWithUpdate</c>.
/// </summary>
public class ProviderOverride : DispatchProxy
{
    /// <summary>Calls of MatrixMultiplyWithUpdate seen so far.</summary>
    public int MultiplyCalls { get; private set; }

    /// <summary>When set, adds 1 to the first element of every product.</summary>
    public bool Corrupt { get; set; }

    public static (ILinearAlgebraProvider Provider, ProviderOverride Control) Create()
    {
        var provider = DispatchProxy.Create<ILinearAlgebraProvider, ProviderOverride>();
        return (provider, (ProviderOverride)(object)provider);
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        object? result = targetMethod.Invoke(ManagedLinearAlgebraProvider.Instance, args);
        if (targetMethod.Name == nameof(ILinearAlgebraProvider<double>.MatrixMultiplyWithUpdate))
        {
            MultiplyCalls++;
            if (Corrupt && args![^1] is double[] { Length: > 0 } c)
            {
                c[0] += 1;
            }
        }

        return result;
    }
}
