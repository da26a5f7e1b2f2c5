using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace ClipSharp.Checkpoints;

/// <summary>The safetensors format: an 8-byte little-endian header length, a JSON header
/// (name → dtype, shape, data_offsets; optional <c>__metadata__</c> of strings), then the raw tensor bytes.</summary>
public static class SafeTensors
{
    /// <summary>The largest header accepted (the reference implementation's limit).</summary>
    const long MaxHeaderBytes = 100_000_000;

    sealed record Entry(string Name, ScalarType Dtype, long[] Shape, long Begin, long End);

    /// <summary>Reads every tensor with its stored dtype, checking the header against the file before allocating.
    /// </summary>
    public static Checkpoint Read(string path) => CheckpointReader.Guarded(path, () =>
    {
        using var file = CheckpointReader.Open(path);
        return Read(file, path);
    });

    /// <summary>Reads from <paramref name="stream"/> (at the file's first byte) in one pass, hashing what it parses.
    /// </summary>
    internal static Checkpoint Read(Stream stream, string path)
    {
        long length = stream.Length - stream.Position;
        using var reader = new HashingReader(stream, path);
        if (length < 8)
            throw new CheckpointException($"Checkpoint '{path}' is too short to be safetensors ({length} bytes)");
        Span<byte> lengthBytes = stackalloc byte[8];
        reader.ReadExactly(lengthBytes, "the header length");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > (ulong)(length - 8) || headerLength > MaxHeaderBytes)
            throw new CheckpointException($"Checkpoint '{path}' is truncated or not safetensors: its header claims " +
                $"{headerLength} bytes, the file has {length - 8} after the length (at most {MaxHeaderBytes} allowed)");
        var headerBytes = new byte[headerLength];
        reader.ReadExactly(headerBytes, "the header");

        long dataStart = 8 + (long)headerLength, dataLength = length - dataStart;
        var (entries, metadata) = ParseHeader(headerBytes, dataLength, path);

        var tensors = new Tensor?[entries.Count];
        try
        {
            var inFileOrder = Enumerable.Range(0, entries.Count)
                .OrderBy(i => entries[i].Begin).ThenBy(i => entries[i].End);
            foreach (int i in inFileOrder)
            {
                var e = entries[i];
                reader.Skip(dataStart + e.Begin - reader.Position, "the data");
                tensors[i] = TensorBytes.Create(e.Dtype, e.Shape,
                    chunk => reader.ReadExactlyIntoNative(chunk, $"tensor '{e.Name}'"));
            }
            string sha256 = reader.Finish();
            var byName = new Dictionary<string, Tensor>();
            for (int i = 0; i < entries.Count; i++) byName[entries[i].Name] = tensors[i]!;
            return new Checkpoint(path, byName, metadata, sha256);
        }
        catch
        {
            reader.WaitForHashing(); // it may still be reading the tensors' memory
            foreach (var t in tensors) t?.Dispose();
            throw;
        }
    }

    /// <summary>Checks every entry (dtype, shape, offsets inside the data, size = shape × dtype, no overlaps) and the
    /// metadata (strings only) before a single tensor is allocated.</summary>
    static (List<Entry> Entries, Dictionary<string, string> Metadata) ParseHeader(
        byte[] headerBytes, long dataLength, string path)
    {
        JsonObject header;
        try { header = JsonNode.Parse(headerBytes) as JsonObject ?? throw new JsonException("not a JSON object"); }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            throw new CheckpointException(
                $"Checkpoint '{path}': the safetensors header is not valid JSON ({e.Message})", e);
        }

        CheckpointException Bad(string name, string what) => new($"Checkpoint '{path}': tensor '{name}' {what}");
        var metadata = new Dictionary<string, string>();
        var entries = new List<Entry>();
        foreach (var (name, node) in header)
        {
            if (name == "__metadata__")
            {
                if (node is not JsonObject meta)
                    throw new CheckpointException($"Checkpoint '{path}': __metadata__ is not an object");
                foreach (var (k, v) in meta)
                    metadata[k] = v is JsonValue value && value.TryGetValue<string>(out var s) ? s
                        : throw new CheckpointException($"Checkpoint '{path}': metadata '{k}' is not a string");
                continue;
            }
            if (node is not JsonObject fields) throw Bad(name, "is not an object with dtype, shape and data_offsets");
            string dtypeName = fields["dtype"] is JsonValue d && d.TryGetValue<string>(out var dn) ? dn
                : throw Bad(name, "has no dtype string");
            if (!TensorBytes.SafetensorsDtypes.TryGetValue(dtypeName, out var dtype))
                throw Bad(name, $"has unsupported dtype {dtypeName}");
            long[] shape = Integers(fields["shape"], TensorBytes.MaxRank)
                ?? throw Bad(name, $"has no shape of at most {TensorBytes.MaxRank} non-negative integers");
            long[] offsets = Integers(fields["data_offsets"], 2) is { Length: 2 } o ? o
                : throw Bad(name, "has no data_offsets [begin, end] of non-negative integers");
            long begin = offsets[0], end = offsets[1];
            long numel = TensorBytes.Numel(shape) ?? throw Bad(name, $"shape {TensorBytes.Shape(shape)} overflows");
            int size = TensorBytes.ElementSize(dtype);
            if (numel > long.MaxValue / size) throw Bad(name, $"shape {TensorBytes.Shape(shape)} overflows");
            long expected = numel * size;
            if (end > dataLength)
                throw new CheckpointException($"Checkpoint '{path}' is truncated: tensor '{name}' needs bytes " +
                    $"[{begin}, {end}) of the data, which has only {dataLength}");
            if (begin > end || end - begin != expected)
                throw Bad(name, $"{TensorBytes.Shape(shape)} {dtypeName} needs {expected} bytes; its offsets " +
                    $"[{begin}, {end}) give {end - begin}");
            entries.Add(new Entry(name, dtype, shape, begin, end));
        }
        Entry? previous = null;
        foreach (var e in entries.Where(e => e.End > e.Begin).OrderBy(e => e.Begin))
        {
            if (previous is not null && e.Begin < previous.End)
                throw Bad(e.Name, $"bytes [{e.Begin}, {e.End}) overlap tensor '{previous.Name}' " +
                    $"[{previous.Begin}, {previous.End})");
            previous = e;
        }
        return (entries, metadata);
    }

    /// <summary>A JSON array of at most <paramref name="max"/> non-negative integers, or null.</summary>
    static long[]? Integers(JsonNode? node, int max)
    {
        if (node is not JsonArray array || array.Count > max) return null;
        var values = new long[array.Count];
        for (int i = 0; i < values.Length; i++)
        {
            if (array[i] is not JsonValue v || !v.TryGetValue<long>(out values[i]) || values[i] < 0) return null;
        }
        return values;
    }

    /// <summary>Writes tensors (sorted by name) and string metadata; the file appears only once complete.</summary>
    public static void Write(string path, IReadOnlyDictionary<string, Tensor> tensors,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
            header["__metadata__"] = new JsonObject(
                metadata.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value))));
        var names = tensors.Keys.OrderBy(k => k, StringComparer.Ordinal).ToList();
        var blobs = new List<byte[]>();
        long offset = 0;
        foreach (var name in names)
        {
            var t = tensors[name];
            var bytes = TensorBytes.ToBytes(t);
            header[name] = new JsonObject
            {
                ["dtype"] = TensorBytes.SafetensorsDtypes.First(kv => kv.Value == t.dtype).Key,
                ["shape"] = new JsonArray(t.shape.Select(s => (JsonNode?)JsonValue.Create(s)).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + bytes.Length),
            };
            blobs.Add(bytes);
            offset += bytes.Length;
        }
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        int padded = (json.Length + 7) / 8 * 8; // the data starts 8-byte aligned
        var headerBytes = new byte[padded];
        Array.Fill(headerBytes, (byte)' ');
        json.CopyTo(headerBytes, 0);

        AtomicFile.Write(path, stream =>
        {
            Span<byte> len = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)padded);
            stream.Write(len);
            stream.Write(headerBytes);
            foreach (var b in blobs) stream.Write(b);
        });
    }
}
