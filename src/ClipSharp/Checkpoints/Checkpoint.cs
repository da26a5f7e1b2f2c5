using static TorchSharp.torch;

namespace ClipSharp.Checkpoints;

/// <summary>The tensors of a checkpoint file as stored (fp16 stays fp16), with the file's metadata. Owns the tensors.</summary>
public sealed class Checkpoint(string path, Dictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null) : IDisposable
{
    public string Path { get; } = path;
    public Dictionary<string, Tensor> Tensors { get; } = tensors;
    public IReadOnlyDictionary<string, string> Metadata { get; } = metadata ?? new Dictionary<string, string>();

    public void Dispose()
    {
        foreach (var t in Tensors.Values) t.Dispose();
        Tensors.Clear();
    }
}
