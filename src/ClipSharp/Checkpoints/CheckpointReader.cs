using System.Runtime.InteropServices;

namespace ClipSharp.Checkpoints;

/// <summary>Opens any supported checkpoint by its content: a PyTorch zip archive (.pt) or safetensors. The file is
/// opened once and read once; <see cref="Checkpoint.Sha256"/> is the hash of the bytes the tensors came from.</summary>
public static class CheckpointReader
{
    /// <summary>Entries the released TorchScript archives carry that are not weights.</summary>
    static readonly HashSet<string> NonWeights = ["input_resolution", "context_length", "vocab_size"];

    public static Checkpoint Read(string path) => Guarded(path, () =>
    {
        using var file = Open(path);
        return ReadFrom(file, path);
    });

    /// <summary>Reads a checkpoint from a seekable stream positioned at its start; <paramref name="path"/> names it in
    /// errors (tests feed mutated bytes this way without writing files).</summary>
    internal static Checkpoint Read(Stream stream, string path) => Guarded(path, () => ReadFrom(stream, path));

    static Checkpoint ReadFrom(Stream file, string path)
    {
        Span<byte> head = stackalloc byte[9];
        int n = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        file.Position -= n;
        var checkpoint = n >= 4 && head[0] == 'P' && head[1] == 'K' ? TorchArchiveReader.Read(file, path)
            : n == 9 && head[8] == '{' ? SafeTensors.Read(file, path)
            : throw new CheckpointException(
                $"Checkpoint '{path}' is neither a PyTorch archive (.pt zip) nor safetensors");
        foreach (var key in checkpoint.Tensors.Keys
            .Where(k => NonWeights.Contains(k) || k.EndsWith(".attn_mask", StringComparison.Ordinal)).ToList())
        {
            checkpoint.Tensors[key].Dispose();
            checkpoint.Tensors.Remove(key);
        }
        return checkpoint;
    }

    internal static FileStream Open(string path)
    {
        if (!File.Exists(path)) throw new CheckpointException($"Checkpoint '{path}' not found");
        // Only a regular file: a FIFO would block the open, a device never ends. Sizes are the readers' to check.
        return RegularFile.OpenRead(path, long.MaxValue,
            (problem, inner) => new CheckpointException($"Checkpoint '{path}' {problem}", inner), allowEmpty: true);
    }

    /// <summary>The reader boundary: the readers check what they can and name the file, key and cause; anything
    /// .NET or libtorch still throws while parsing a malformed file becomes one <see cref="CheckpointException"/>
    /// naming the file (libtorch's message cut to its first line, without the C++ backtrace).</summary>
    internal static T Guarded<T>(string path, Func<T> read)
    {
        try { return read(); }
        catch (Exception e) when (e is not ClipSharpException and not OutOfMemoryException)
        {
            string cause = e is ExternalException ? e.Message.Split('\n')[0].Trim() : e.Message;
            string what = e is IOException or UnauthorizedAccessException ? "cannot be read" : "is malformed";
            throw new CheckpointException($"Checkpoint '{path}' {what} ({e.GetType().Name}: {cause})", e);
        }
    }
}
