using System.Numerics;

namespace BnNative.Demo;

/// <summary>SGD with momentum (PyTorch's form): v ← mu·v + g, p ← p − lr·v, with g the batch-mean gradient.</summary>
internal sealed class SgdMomentum(double learningRate, double momentum)
{
    public double LearningRate { get; } = learningRate;

    public double Momentum { get; } = momentum;

    /// <summary>One update of every parameter; <c>Gradient</c> holds the gradient of the mean loss.</summary>
    public void Step<T>(IEnumerable<Parameter<T>> parameters)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var lr = T.CreateTruncating(LearningRate);
        var mu = T.CreateTruncating(Momentum);
        foreach (var parameter in parameters)
        {
            var value = parameter.Value;
            var gradient = parameter.Gradient;
            var velocity = parameter.Velocity;
            for (int i = 0; i < value.Length; i++)
            {
                velocity[i] = (mu * velocity[i]) + gradient[i];
                value[i] -= lr * velocity[i];
            }
        }
    }
}
