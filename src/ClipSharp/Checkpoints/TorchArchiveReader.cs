using System.IO.Compression;
using static TorchSharp.torch;

namespace ClipSharp.Checkpoints;

/// <summary>
/// Reads the tensors of a PyTorch zip archive — a released TorchScript <c>.pt</c> (module objects as attribute bags)
/// or a <c>torch.save</c> state dict — from <c>&lt;name&gt;/data.pkl</c> and <c>&lt;name&gt;/data/&lt;key&gt;</c>,
/// without running or compiling the code the archive carries. The file is read into memory once (hashed as it is
/// read); every size the archive or the pickle declares is checked against it before anything is allocated.
/// </summary>
sealed class TorchArchiveReader
{
    /// <summary>How far a deflated entry may inflate (the released archives store every entry uncompressed; real
    /// tensors barely compress). Together with <see cref="Slack"/> it also bounds all the memory one read may take.
    /// </summary>
    const long MaxInflation = 10;
    const long Slack = 16 << 20;

    readonly ZipArchive zip;
    readonly string path;
    readonly long fileLength;
    long allowance;

    TorchArchiveReader(ZipArchive zip, string path, long fileLength)
    {
        (this.zip, this.path, this.fileLength) = (zip, path, fileLength);
        allowance = MaxInflation * fileLength + Slack;
    }

    public static Checkpoint Read(Stream stream, string path)
    {
        long length = stream.Length - stream.Position;
        if (length > Array.MaxLength)
            throw new CheckpointException(
                $"Checkpoint '{path}' is {length} bytes: archives over {Array.MaxLength} bytes are not supported");
        var bytes = new byte[length];
        using var reader = new HashingReader(stream, path);
        reader.ReadExactlyInBackground(bytes, "the archive"); // hashed while the archive is parsed
        string Sha256()
        {
            string sha256 = reader.Finish();
            if (reader.Position != length)
                throw new CheckpointException(
                    $"Checkpoint '{path}' changed while it was read ({length} bytes, then {reader.Position})");
            return sha256;
        }
        ZipArchive zip;
        try { zip = new ZipArchive(new MemoryStream(bytes, 0, bytes.Length, writable: false), ZipArchiveMode.Read); }
        catch (InvalidDataException e)
        {
            throw new CheckpointException(
                $"Checkpoint '{path}' is truncated or not a valid zip archive ({e.Message})", e);
        }
        using (zip) return new TorchArchiveReader(zip, path, length).ReadTensors(Sha256);
    }

    /// <param name="sha256">The file's hash, asked for once the tensors are read.</param>
    Checkpoint ReadTensors(Func<string> sha256)
    {
        var pkl = zip.Entries.FirstOrDefault(e =>
                e.FullName.EndsWith("data.pkl", StringComparison.Ordinal) && e.FullName.Count(c => c == '/') <= 1)
            ?? throw new CheckpointException(
                $"Checkpoint '{path}' is a zip archive without data.pkl: not a PyTorch checkpoint");
        string prefix = pkl.FullName[..^"data.pkl".Length];
        var pickle = ReadEntry(pkl);
        var root = new PickleReader(path, IsAllowed, PersistentLoad, pkl.FullName).Load(pickle);
        var stored = PickledTensors.Collect(root, pickle.Length, path);

        var uses = stored.GroupBy(t => t.Storage.Key).ToDictionary(g => g.Key, g => g.Count());
        var storages = new Dictionary<string, (StorageRef Ref, Tensor Tensor)>();
        var tensors = new Dictionary<string, Tensor>();
        try
        {
            foreach (var t in stored)
            {
                if (!storages.TryGetValue(t.Storage.Key, out var storage))
                    storages[t.Storage.Key] = storage = (t.Storage, LoadStorage(prefix, t.Storage));
                else if (storage.Ref != t.Storage)
                    throw new CheckpointException($"Checkpoint '{path}': tensor '{t.Key}' reads storage " +
                        $"'data/{t.Storage.Key}' as {t.Storage.Numel} × {t.Storage.Dtype}, an earlier tensor as " +
                        $"{storage.Ref.Numel} × {storage.Ref.Dtype}");
                bool last = --uses[t.Storage.Key] == 0;
                tensors[t.Key] = Materialise(t, storage.Tensor, wholeStorageFree: last);
                if (last)
                {
                    storage.Tensor.Dispose();
                    storages.Remove(t.Storage.Key);
                }
            }
            return new Checkpoint(path, tensors, sha256: sha256());
        }
        catch
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw;
        }
        finally
        {
            foreach (var s in storages.Values) s.Tensor.Dispose();
        }
    }

    static bool IsAllowed(PickleGlobal g) => g.FullName switch
    {
        "torch._utils._rebuild_tensor_v2" or "torch._utils._rebuild_parameter" or "collections.OrderedDict" => true,
        _ => (g.Module == "torch" && TensorBytes.TorchStorageDtypes.ContainsKey(g.Name))
            || g.Module.StartsWith("__torch__.", StringComparison.Ordinal) || g.Module == "__torch__",
    };

    /// <summary>torch's persistent id of a storage: <c>('storage', torch.XStorage, key, location, numel)</c>.</summary>
    object? PersistentLoad(object? pid) =>
        pid is object?[] { Length: 5 } t && t[0] is "storage" && t[1] is PickleGlobal { Module: "torch" } type
            && TensorBytes.TorchStorageDtypes.TryGetValue(type.Name, out var dtype)
            && t[2] is string key && t[4] is long numel && numel >= 0
            ? new StorageRef(dtype, key, numel)
            : throw new CheckpointException($"Checkpoint '{path}': unexpected persistent id in data.pkl " +
                "(not a storage of known type, key and size)");

    /// <summary>A view of its storage as its own tensor: the storage itself when the view is all of it and nobody else
    /// needs it, else a copy of just the view (checked against the storage first).</summary>
    Tensor Materialise(StoredTensor t, Tensor storage, bool wholeStorageFree)
    {
        if (t.View.Problem(t.Storage.Numel) is { } problem)
            throw new CheckpointException(
                $"Checkpoint '{path}': tensor '{t.Key}' ({t.View}) {problem} of 'data/{t.Storage.Key}'");
        if (t.View.Numel == 0) return empty(t.View.Shape, t.Storage.Dtype);
        if (wholeStorageFree && t.View.IsWhole(t.Storage.Numel)) return storage.view(t.View.Shape);
        Charge(t.View.Numel, TensorBytes.ElementSize(t.Storage.Dtype), $"tensor '{t.Key}'");
        using var view = storage.as_strided(t.View.Shape, t.View.Strides, t.View.Offset);
        using var contiguous = view.contiguous();
        return contiguous.clone();
    }

    Tensor LoadStorage(string prefix, StorageRef s)
    {
        string name = $"{prefix}data/{s.Key}";
        var entry = zip.GetEntry(name)
            ?? throw new CheckpointException(
                $"Checkpoint '{path}': storage 'data/{s.Key}' is missing from the archive");
        CheckSizes(entry);
        int size = TensorBytes.ElementSize(s.Dtype);
        if (s.Numel > entry.Length / size)
            throw new CheckpointException($"Checkpoint '{path}': storage 'data/{s.Key}' holds {entry.Length} bytes, " +
                $"{(Int128)s.Numel * size} expected (truncated?)");
        Charge(s.Numel, size, $"storage 'data/{s.Key}'");
        using var stream = entry.Open();
        return TensorBytes.Create(s.Dtype, [s.Numel], chunk => Fill(stream, chunk, entry));
    }

    byte[] ReadEntry(ZipArchiveEntry entry)
    {
        CheckSizes(entry);
        if (entry.Length > Array.MaxLength)
            throw new CheckpointException($"Checkpoint '{path}': entry '{entry.FullName}' claims {entry.Length} bytes");
        Charge(entry.Length, 1, $"entry '{entry.FullName}'");
        var bytes = new byte[entry.Length];
        using var stream = entry.Open();
        Fill(stream, bytes, entry);
        if (stream.ReadByte() >= 0)
            throw new CheckpointException(
                $"Checkpoint '{path}': entry '{entry.FullName}' inflates past its declared {entry.Length} bytes");
        return bytes;
    }

    /// <summary>Sizes a zip entry declares, checked against the file before inflating anything (a zip bomb declares a
    /// small compressed size and a huge one inflated, or lies in its header).</summary>
    void CheckSizes(ZipArchiveEntry entry)
    {
        if (entry.CompressedLength < 0 || entry.CompressedLength > fileLength || entry.Length < 0)
            throw new CheckpointException($"Checkpoint '{path}': entry '{entry.FullName}' claims " +
                $"{entry.CompressedLength} compressed bytes in a file of {fileLength}");
        if (entry.Length > entry.CompressedLength * MaxInflation + Slack)
            throw new CheckpointException($"Checkpoint '{path}': entry '{entry.FullName}' claims to inflate " +
                $"{entry.CompressedLength} bytes to {entry.Length}, more than {MaxInflation}× (a zip bomb?)");
    }

    /// <summary>Counts an allocation against what a file of this size can legitimately need.</summary>
    void Charge(long count, int size, string what)
    {
        if (count > allowance / size)
            throw new CheckpointException($"Checkpoint '{path}': {what} needs {(Int128)count * size} bytes, " +
                $"more than the {MaxInflation * fileLength + Slack} bytes a {fileLength}-byte archive can hold");
        allowance -= count * size;
    }

    void Fill(Stream stream, Span<byte> into, ZipArchiveEntry entry)
    {
        int done = 0;
        while (done < into.Length)
        {
            int n = stream.Read(into[done..]);
            if (n == 0) throw new CheckpointException($"Checkpoint '{path}': entry '{entry.FullName}' is truncated");
            done += n;
        }
    }
}
