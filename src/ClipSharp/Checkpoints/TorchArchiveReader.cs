using System.IO.Compression;
using static TorchSharp.torch;

namespace ClipSharp.Checkpoints;

/// <summary>
/// Reads the tensors of a PyTorch zip archive — a released TorchScript <c>.pt</c> (module objects as attribute bags)
/// or a <c>torch.save</c> state dict — from <c>&lt;name&gt;/data.pkl</c> and <c>&lt;name&gt;/data/&lt;key&gt;</c>,
/// without running or compiling the code the archive carries.
/// </summary>
static class TorchArchiveReader
{
    sealed record StorageRef(ScalarType Dtype, string Key, long Numel);

    public static Checkpoint Read(string path)
    {
        ZipArchive zip;
        try { zip = ZipFile.OpenRead(path); }
        catch (InvalidDataException e) { throw new CheckpointException($"Checkpoint '{path}' is truncated or not a valid zip archive ({e.Message})", e); }
        using (zip)
        {
            var pkl = zip.Entries.FirstOrDefault(e => e.FullName.EndsWith("data.pkl", StringComparison.Ordinal) && e.FullName.Count(c => c == '/') <= 1)
                ?? throw new CheckpointException($"Checkpoint '{path}' is a zip archive without data.pkl: not a PyTorch checkpoint");
            string prefix = pkl.FullName[..^"data.pkl".Length];

            var storages = new Dictionary<string, Tensor>();
            try
            {
                var reader = new PickleReader(path, IsAllowed, pid => pid is object?[] { Length: 5 } t && t[0] is "storage" && t[1] is PickleGlobal type
                    ? new StorageRef(TensorBytes.TorchStorageDtypes[type.Name], t[2]!.ToString()!, Convert.ToInt64(t[4]))
                    : throw new CheckpointException($"Checkpoint '{path}': unexpected persistent id in data.pkl"));
                var root = reader.Load(ReadAll(pkl, path));

                var tensors = new Dictionary<string, Tensor>();
                Flatten(root, "", tensors, storage => Storage(zip, prefix, storage, storages, path), path);
                return new Checkpoint(path, tensors);
            }
            catch (InvalidDataException e) { throw new CheckpointException($"Checkpoint '{path}' is corrupt ({e.Message})", e); }
            finally
            {
                foreach (var s in storages.Values) s.Dispose();
            }
        }
    }

    static bool IsAllowed(PickleGlobal g) => g.FullName switch
    {
        "torch._utils._rebuild_tensor_v2" or "torch._utils._rebuild_parameter" or "collections.OrderedDict" => true,
        _ => (g.Module == "torch" && TensorBytes.TorchStorageDtypes.ContainsKey(g.Name)) || g.Module.StartsWith("__torch__.", StringComparison.Ordinal) || g.Module == "__torch__",
    };

    static void Flatten(object? node, string prefix, Dictionary<string, Tensor> into, Func<StorageRef, Tensor> storage, string path)
    {
        switch (node)
        {
            case PickledObject { State: Dictionary<object, object?> attributes }:
                foreach (var (k, v) in attributes) Flatten(v, $"{prefix}{k}.", into, storage, path);
                break;
            case Dictionary<object, object?> dict:
                foreach (var (k, v) in dict) Flatten(v, $"{prefix}{k}.", into, storage, path);
                break;
            case PickleCall { Function.Name: "_rebuild_parameter" } call:
                Flatten(call.Arguments[0], prefix, into, storage, path);
                break;
            case PickleCall { Function.Name: "_rebuild_tensor_v2", Arguments: [StorageRef s, var offset, object?[] size, object?[] stride, ..] }:
                var shape = size.Select(Convert.ToInt64).ToArray();
                var strides = stride.Select(Convert.ToInt64).ToArray();
                using (var view = storage(s).as_strided(shape, strides, Convert.ToInt64(offset)))
                    into[prefix.TrimEnd('.')] = view.contiguous().clone();
                break;
            case PickleCall call:
                throw new CheckpointException($"Checkpoint '{path}': unexpected call '{call.Function.FullName}' at '{prefix.TrimEnd('.')}'");
        }
    }

    static Tensor Storage(ZipArchive zip, string prefix, StorageRef s, Dictionary<string, Tensor> cache, string path)
    {
        if (cache.TryGetValue(s.Key, out var t)) return t;
        var entry = zip.GetEntry($"{prefix}data/{s.Key}")
            ?? throw new CheckpointException($"Checkpoint '{path}': storage 'data/{s.Key}' is missing from the archive");
        var bytes = ReadAll(entry, path);
        long needed = s.Numel * TensorBytes.ElementSize(s.Dtype);
        if (bytes.Length < needed)
            throw new CheckpointException($"Checkpoint '{path}': storage 'data/{s.Key}' holds {bytes.Length} bytes, {needed} expected (truncated?)");
        return cache[s.Key] = TensorBytes.FromBytes(bytes.Length == needed ? bytes : bytes[..(int)needed], s.Dtype, [s.Numel]);
    }

    static byte[] ReadAll(ZipArchiveEntry entry, string path)
    {
        using var stream = entry.Open();
        var bytes = new byte[entry.Length];
        int read = 0;
        while (read < bytes.Length)
        {
            int n = stream.Read(bytes, read, bytes.Length - read);
            if (n == 0) throw new CheckpointException($"Checkpoint '{path}': entry '{entry.FullName}' is truncated");
            read += n;
        }
        return bytes;
    }
}
