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
    public static Checkpoint Read(string path)
    {
        using var file = File.OpenRead(path);
        long length = file.Length;
        var lengthBytes = new byte[8];
        if (length < 8 || file.Read(lengthBytes) != 8) throw new CheckpointException($"Checkpoint '{path}' is too short to be safetensors ({length} bytes)");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > (ulong)(length - 8) || headerLength > 100_000_000)
            throw new CheckpointException($"Checkpoint '{path}' is truncated or not safetensors: its header claims {headerLength} bytes, the file has {length - 8} after the length");
        var headerBytes = new byte[headerLength];
        file.ReadExactly(headerBytes);

        JsonObject header;
        try { header = JsonNode.Parse(headerBytes)!.AsObject(); }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NullReferenceException)
        { throw new CheckpointException($"Checkpoint '{path}': the safetensors header is not valid JSON ({e.Message})", e); }

        long dataStart = 8 + (long)headerLength, dataLength = length - dataStart;
        var metadata = new Dictionary<string, string>();
        var tensors = new Dictionary<string, Tensor>();
        try
        {
            foreach (var (name, node) in header)
            {
                if (name == "__metadata__")
                {
                    foreach (var (k, v) in node!.AsObject()) metadata[k] = v!.GetValue<string>();
                    continue;
                }
                string dtypeName = node!["dtype"]!.GetValue<string>();
                if (!TensorBytes.SafetensorsDtypes.TryGetValue(dtypeName, out var dtype))
                    throw new CheckpointException($"Checkpoint '{path}': tensor '{name}' has unsupported dtype {dtypeName}");
                long[] shape = node["shape"]!.AsArray().Select(x => x!.GetValue<long>()).ToArray();
                long begin = node["data_offsets"]![0]!.GetValue<long>(), end = node["data_offsets"]![1]!.GetValue<long>();
                long expected = shape.Aggregate(1L, (a, b) => a * b) * TensorBytes.ElementSize(dtype);
                if (end > dataLength)
                    throw new CheckpointException($"Checkpoint '{path}' is truncated: tensor '{name}' needs bytes [{begin}, {end}) of the data, which has only {dataLength}");
                if (begin < 0 || end - begin != expected)
                    throw new CheckpointException($"Checkpoint '{path}': tensor '{name}' {TensorBytes.Shape(shape)} {dtypeName} needs {expected} bytes; its offsets [{begin}, {end}) give {end - begin}");
                var bytes = new byte[expected];
                file.Position = dataStart + begin;
                file.ReadExactly(bytes);
                tensors[name] = TensorBytes.FromBytes(bytes, dtype, shape);
            }
        }
        catch (Exception e) when (e is not CheckpointException)
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw new CheckpointException($"Checkpoint '{path}': malformed safetensors header ({e.Message})", e);
        }
        return new Checkpoint(path, tensors, metadata);
    }

    /// <summary>Writes tensors (sorted by name) and string metadata; the file appears only once complete.</summary>
    public static void Write(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
            header["__metadata__"] = new JsonObject(metadata.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value))));
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
