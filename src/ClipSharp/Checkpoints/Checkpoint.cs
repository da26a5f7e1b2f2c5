using static TorchSharp.torch;

namespace ClipSharp.Checkpoints;

/// <summary>The tensors of a checkpoint file as stored (fp16 stays fp16), with the file's metadata. Owns the
/// tensors.</summary>
/// <param name="sha256">The lowercase hex SHA-256 of the bytes the tensors were read from (the readers hash while they
/// parse); null for tensors that came from no file.</param>
public sealed class Checkpoint(string path, Dictionary<string, Tensor> tensors,
    IReadOnlyDictionary<string, string>? metadata = null, string? sha256 = null) : IDisposable
{
    public string Path { get; } = path;
    public Dictionary<string, Tensor> Tensors { get; } = tensors;
    public IReadOnlyDictionary<string, string> Metadata { get; } = metadata ?? new Dictionary<string, string>();

    /// <summary>The SHA-256 of exactly the bytes parsed (read in the same pass), so a file replaced or rewritten after
    /// loading cannot make a cache key lie about the weights in memory.</summary>
    public string? Sha256 { get; } = sha256;

    public void Dispose()
    {
        foreach (var t in Tensors.Values) t.Dispose();
        Tensors.Clear();
    }
}
