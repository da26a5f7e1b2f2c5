namespace ClipSharp.Checkpoints;

/// <summary>Opens any supported checkpoint by its content: a PyTorch zip archive (.pt) or safetensors.</summary>
public static class CheckpointReader
{
    /// <summary>Entries the released TorchScript archives carry that are not weights.</summary>
    static readonly HashSet<string> NonWeights = ["input_resolution", "context_length", "vocab_size"];

    public static Checkpoint Read(string path)
    {
        if (!File.Exists(path)) throw new CheckpointException($"Checkpoint '{path}' not found");
        Span<byte> head = stackalloc byte[9];
        int n;
        using (var f = File.OpenRead(path)) n = f.Read(head);
        var checkpoint = n >= 4 && head[0] == 'P' && head[1] == 'K' ? TorchArchiveReader.Read(path)
            : n == 9 && head[8] == '{' ? SafeTensors.Read(path)
            : throw new CheckpointException($"Checkpoint '{path}' is neither a PyTorch archive (.pt zip) nor safetensors");
        foreach (var key in checkpoint.Tensors.Keys.Where(k => NonWeights.Contains(k) || k.EndsWith(".attn_mask", StringComparison.Ordinal)).ToList())
        {
            checkpoint.Tensors[key].Dispose();
            checkpoint.Tensors.Remove(key);
        }
        return checkpoint;
    }
}
