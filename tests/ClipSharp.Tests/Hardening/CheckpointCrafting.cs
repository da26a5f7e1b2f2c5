using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace ClipSharp.Tests.Hardening;

/// <summary>Writes pickles opcode by opcode and PyTorch-style zip archives around them, so hostile checkpoints are
/// crafted at run time (no binary fixtures).</summary>
sealed class PickleWriter
{
    readonly MemoryStream bytes = new();

    public PickleWriter() => Op(0x80, 2); // PROTO 2

    public PickleWriter Op(params byte[] ops) { bytes.Write(ops); return this; }
    public PickleWriter Raw(ReadOnlySpan<byte> data) { bytes.Write(data); return this; }
    public PickleWriter Mark() => Op((byte)'(');
    public PickleWriter Tuple() => Op((byte)'t');
    public PickleWriter EmptyDict() => Op((byte)'}');
    public PickleWriter SetItem() => Op((byte)'s');
    public PickleWriter SetItems() => Op((byte)'u');
    public PickleWriter Reduce() => Op((byte)'R');
    public PickleWriter Stop() => Op((byte)'.');
    public PickleWriter Put(byte index) => Op((byte)'q', index);
    public PickleWriter Get(byte index) => Op((byte)'h', index);
    public PickleWriter False() => Op(0x89);
    public PickleWriter Global(string module, string name)
        => Op((byte)'c').Raw(Encoding.ASCII.GetBytes($"{module}\n{name}\n"));

    public PickleWriter String(string s)
    {
        var utf8 = Encoding.UTF8.GetBytes(s);
        Span<byte> n = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(n, utf8.Length);
        return Op((byte)'X').Raw(n).Raw(utf8);
    }

    /// <summary>Any 64-bit integer, as LONG1 with 8 bytes.</summary>
    public PickleWriter Int(long v)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(b, v);
        return Op(0x8a, 8).Raw(b);
    }

    public PickleWriter IntTuple(IEnumerable<long> values)
    {
        Mark();
        foreach (var v in values) Int(v);
        return Tuple();
    }

    /// <summary><c>_rebuild_tensor_v2(storage('storage', torch.{type}, key, 'cpu', numel), offset, size, stride,
    /// False, OrderedDict())</c>, as torch.save writes a tensor.</summary>
    public PickleWriter Tensor(string storageType, string key, long numel, long offset, long[] size, long[] stride)
    {
        Global("torch._utils", "_rebuild_tensor_v2").Mark();
        Mark().String("storage").Global("torch", storageType).String(key).String("cpu").Int(numel).Tuple()
            .Op((byte)'Q');
        Int(offset).IntTuple(size).IntTuple(stride).False();
        return Global("collections", "OrderedDict").Op((byte)')').Reduce().Tuple().Reduce();
    }

    public byte[] ToArray() => bytes.ToArray();
}

static class CheckpointCrafting
{
    /// <summary>A torch.save-style archive: <c>archive/data.pkl</c>, <c>archive/data/&lt;key&gt;</c>, stored or
    /// deflated.</summary>
    public static void WriteArchive(string path, byte[] pickle, IReadOnlyDictionary<string, byte[]>? storages = null,
        bool deflate = false)
    {
        using var file = File.Create(path);
        WriteArchive(file, pickle, storages, deflate);
    }

    public static void WriteArchive(Stream into, byte[] pickle, IReadOnlyDictionary<string, byte[]>? storages = null,
        bool deflate = false)
    {
        var level = deflate ? CompressionLevel.Optimal : CompressionLevel.NoCompression;
        using var zip = new ZipArchive(into, ZipArchiveMode.Create, leaveOpen: true);
        using (var s = zip.CreateEntry("archive/data.pkl", level).Open()) s.Write(pickle);
        foreach (var (key, data) in storages ?? new Dictionary<string, byte[]>())
            using (var s = zip.CreateEntry($"archive/data/{key}", level).Open()) s.Write(data);
    }

    /// <summary>A state dict of one float tensor <c>w</c> viewing storage "0" of <paramref name="numel"/>
    /// elements.</summary>
    public static byte[] OneTensorPickle(long numel, long offset, long[] size, long[] stride) =>
        new PickleWriter().EmptyDict().String("w").Tensor("FloatStorage", "0", numel, offset, size, stride)
            .SetItem().Stop().ToArray();

    /// <summary>Safetensors bytes: the length, the given header text, then <paramref name="dataBytes"/> zero
    /// bytes.</summary>
    public static byte[] SafeTensorsFile(string header, int dataBytes, ulong? claimedHeaderLength = null)
    {
        var json = Encoding.UTF8.GetBytes(header);
        var file = new byte[8 + json.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(file, claimedHeaderLength ?? (ulong)json.Length);
        json.CopyTo(file, 8);
        return file;
    }
}
