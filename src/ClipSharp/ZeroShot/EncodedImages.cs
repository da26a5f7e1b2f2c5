using static TorchSharp.torch;

namespace ClipSharp.ZeroShot;

/// <summary>Image features [n, D] (not normalised) of the images that could be encoded, in the order given;
/// <see cref="Indices"/> maps each row to its path's index. Owns <see cref="Features"/>.</summary>
public sealed class EncodedImages(Tensor features, IReadOnlyList<int> indices, IReadOnlyList<ImageFailure> failures)
    : IDisposable
{
    public Tensor Features { get; } = features;
    public IReadOnlyList<int> Indices { get; } = indices;

    /// <summary>The images skipped (always empty under <see cref="ImageErrorPolicy.Throw"/>).</summary>
    public IReadOnlyList<ImageFailure> Failures { get; } = failures;

    public void Dispose() => Features.Dispose();
}
