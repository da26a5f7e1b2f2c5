using ClipSharp.Checkpoints;

namespace ClipSharp.Tests.Hardening;

/// <summary>Hostile safetensors headers: every one is refused before a tensor is allocated, with the file (and the
/// tensor or metadata key) named, and without touching the file.</summary>
public class CheckpointSafeTensorsTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("clip-hostile-st-").FullName;
    public void Dispose() => Directory.Delete(dir, true);

    static string Tensor(string name, string dtype, string shape, string offsets) =>
        $"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":{shape},\"data_offsets\":{offsets}}}";

    public static TheoryData<string, string, int, string> Headers => new()
    {
        { "not JSON", "this is not json", 0, "the safetensors header is not valid JSON" },
        { "an array", "[1, 2]", 0, "the safetensors header is not valid JSON" },
        { "nested too deep", new string('[', 5000) + new string(']', 5000), 0, "not valid JSON" },
        { "past the file", "{" + Tensor("a", "F32", "[2]", "[0, 8]") + "}", 4,
            "is truncated: tensor 'a' needs bytes [0, 8)" },
        { "negative offset", "{" + Tensor("a", "F32", "[1]", "[-4, 0]") + "}", 8, "tensor 'a' has no data_offsets" },
        { "three offsets", "{" + Tensor("a", "F32", "[1]", "[0, 4, 8]") + "}", 8, "tensor 'a' has no data_offsets" },
        { "end before begin", "{" + Tensor("a", "F32", "[0]", "[8, 4]") + "}", 8, "tensor 'a' [0] F32 needs 0 bytes" },
        { "size mismatch", "{" + Tensor("a", "F32", "[3]", "[0, 8]") + "}", 8, "tensor 'a' [3] F32 needs 12 bytes" },
        { "shape overflow", "{" + Tensor("a", "F32", "[4294967296, 4294967296, 4294967296]", "[0, 8]") + "}", 8,
            "tensor 'a' shape [4294967296, 4294967296, 4294967296] overflows" },
        { "bytes overflow", "{" + Tensor("a", "F64", "[2305843009213693952]", "[0, 8]") + "}", 8, "overflows" },
        { "negative dim", "{" + Tensor("a", "F32", "[-1]", "[0, 0]") + "}", 8, "tensor 'a' has no shape" },
        { "fractional dim", "{" + Tensor("a", "F32", "[1.5]", "[0, 4]") + "}", 8, "tensor 'a' has no shape" },
        { "too many dims", "{" + Tensor("a", "F32", "[" + string.Join(",", Enumerable.Repeat(1, 40)) + "]", "[0, 4]")
            + "}", 8, "at most 32" },
        { "overlap", "{" + Tensor("a", "F32", "[2]", "[0, 8]") + "," + Tensor("b", "F32", "[2]", "[4, 12]") + "}",
            12, "tensor 'b' bytes [4, 12) overlap tensor 'a'" },
        { "unknown dtype", "{" + Tensor("a", "F8_E9", "[1]", "[0, 1]") + "}", 8,
            "tensor 'a' has unsupported dtype F8_E9" },
        { "dtype not a string", "{\"a\":{\"dtype\":5,\"shape\":[1],\"data_offsets\":[0,4]}}", 8,
            "tensor 'a' has no dtype string" },
        { "entry not an object", "{\"a\":5}", 8, "tensor 'a' is not an object" },
        { "metadata not strings", "{\"__metadata__\":{\"config\":1}}", 0, "metadata 'config' is not a string" },
        { "metadata not an object", "{\"__metadata__\":[1]}", 0, "__metadata__ is not an object" },
    };

    [Theory, MemberData(nameof(Headers))]
    public void A_hostile_header_is_refused_by_name(string what, string header, int dataBytes, string cause)
    {
        string path = Path.Combine(dir, "hostile.safetensors");
        var bytes = CheckpointCrafting.SafeTensorsFile(header, dataBytes);
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<CheckpointException>(() => SafeTensors.Read(path));
        Assert.True(e.Message.StartsWith($"Checkpoint '{path}'") && e.Message.Contains(cause), $"{what}: {e.Message}");
        Assert.Equal(bytes, File.ReadAllBytes(path));
    }

    [Theory]
    [InlineData(1_000_000_000_000UL)]
    [InlineData(ulong.MaxValue)]
    public void A_header_length_beyond_the_file_or_the_limit_is_refused_before_allocating(ulong claimed)
    {
        string path = Path.Combine(dir, "long-header.safetensors");
        File.WriteAllBytes(path, CheckpointCrafting.SafeTensorsFile("{}", 16, claimed));
        var e = Assert.Throws<CheckpointException>(() => SafeTensors.Read(path));
        Assert.Contains($"Checkpoint '{path}' is truncated or not safetensors: its header claims {claimed} bytes",
            e.Message);
    }

    [Fact]
    public void A_well_formed_crafted_file_reads_back_and_an_empty_tensor_may_sit_inside_another()
    {
        // The crafting is right: the same helper with sane numbers gives tensors of the declared shapes.
        string header = "{" + Tensor("a", "F32", "[2]", "[0, 8]") + "," + Tensor("e", "F32", "[0, 3]", "[4, 4]") + ","
            + Tensor("b", "U8", "[4]", "[8, 12]") + "}";
        string path = Path.Combine(dir, "fine.safetensors");
        File.WriteAllBytes(path, CheckpointCrafting.SafeTensorsFile(header, 12));
        using var checkpoint = SafeTensors.Read(path);
        Assert.Equal(["a", "e", "b"], checkpoint.Tensors.Keys);
        Assert.Equal([0L, 3L], checkpoint.Tensors["e"].shape);
        Assert.Equal([4L], checkpoint.Tensors["b"].shape);
    }
}
