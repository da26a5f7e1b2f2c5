using static TorchSharp.torch;

namespace ClipSharp.Modeling;

/// <summary>Frees each activation as soon as the next exists. A dispose scope alone frees them only when the whole
/// forward ends, which holds every layer's output of a batch at once (about 1 GB for RN50 at batch 32).</summary>
static class TensorSteps
{
    /// <summary>y = step(x), then x is disposed unless the step returned it (an in-place op or a skipped norm).
    /// Only for intermediates the caller owns, never for a module's input.</summary>
    public static Tensor ThenDispose(this Tensor x, Func<Tensor, Tensor> step)
    {
        var y = step(x);
        if (!ReferenceEquals(x, y)) x.Dispose();
        return y;
    }
}
