using ClipSharp.Loading;
using System.IO.Compression;
using System.Security.Cryptography;
using ClipSharp.Checkpoints;
using static TorchSharp.torch;

namespace ClipSharp.Tests.Hardening;

/// <summary>Hostile .pt archives crafted at run time: deep or cyclic pickles, zip bombs, lying zip headers, views
/// outside their storage, malformed pickles. Each must be one CheckpointException naming the file and the
/// cause.</summary>
public class CheckpointArchiveTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("clip-hostile-pt-").FullName;
    public void Dispose() => Directory.Delete(dir, true);

    static readonly byte[] FourFloats = new byte[16];

    static Dictionary<string, byte[]> Storage0(byte[] data) => new() { ["0"] = data };

    string Archive(byte[] pickle, IReadOnlyDictionary<string, byte[]>? storages = null, bool deflate = false)
    {
        string path = Path.Combine(dir, $"hostile-{Guid.NewGuid():N}.pt");
        CheckpointCrafting.WriteArchive(path, pickle, storages, deflate);
        return path;
    }

    /// <summary>Reads <paramref name="path"/>, expecting a refusal that names it; also checks the file is
    /// unchanged.</summary>
    static CheckpointException Refused(string path)
    {
        var before = File.ReadAllBytes(path);
        var e = Assert.Throws<CheckpointException>(() => CheckpointReader.Read(path));
        Assert.Contains($"Checkpoint '{path}'", e.Message);
        Assert.DoesNotContain("Exception raised from", e.Message); // no libtorch backtrace
        Assert.DoesNotContain("\n", e.Message);
        Assert.Equal(before, File.ReadAllBytes(path));
        return e;
    }

    [Fact]
    public void A_crafted_state_dict_with_a_valid_view_reads_back_its_values()
    {
        // The crafting itself is right: the same writer with sane numbers gives the tensor it describes.
        var data = new byte[16];
        BitConverter.GetBytes(1.5f).CopyTo(data, 8);
        string path = Archive(CheckpointCrafting.OneTensorPickle(4, 1, [2], [1]), Storage0(data));
        using var checkpoint = CheckpointReader.Read(path);
        Assert.Equal([2L], checkpoint.Tensors["w"].shape);
        Assert.Equal([0f, 1.5f], checkpoint.Tensors["w"].data<float>().ToArray());
    }

    [Fact]
    public void Two_hundred_thousand_nested_rebuild_parameter_calls_are_refused_not_a_stack_overflow()
    {
        const int depth = 200_000;
        var p = new PickleWriter().EmptyDict().String("w").Global("torch._utils", "_rebuild_parameter").Put(0);
        for (int i = 1; i < depth; i++) p.Get(0);
        p.Tensor("FloatStorage", "0", 4, 0, [4], [1]);
        for (int i = 0; i < depth; i++) p.Op(0x85).Reduce(); // TUPLE1, REDUCE: _rebuild_parameter((inner,))
        string path = Archive(p.SetItem().Stop().ToArray(), Storage0(FourFloats));
        Assert.True(new FileInfo(path).Length > 500_000);
        Assert.Contains($"deeper than {PickledTensorsMaxDepth} levels", Refused(path).Message);
    }

    [Fact]
    public void Twenty_thousand_nested_dicts_are_refused_not_a_stack_overflow()
    {
        const int depth = 20_000;
        var p = new PickleWriter();
        for (int i = 0; i < depth; i++) p.EmptyDict().Op(0x8c, 1, (byte)'a'); // {} 'a' …
        p.EmptyDict();
        for (int i = 0; i < depth; i++) p.SetItem();                           // … each inner dict set into its outer
        Assert.Contains($"deeper than {PickledTensorsMaxDepth} levels", Refused(Archive(p.Stop().ToArray())).Message);
    }

    [Fact]
    public void A_pickle_of_millions_of_opcodes_is_refused_before_its_objects_exhaust_memory()
    {
        // Each EMPTY_DICT is one byte of pickle and ~80 bytes of memory; the opcode bound stops such a pickle
        // (here with None, which is cheap for the test itself to build up to the bound).
        var p = new PickleWriter().EmptyDict().Raw(Enumerable.Repeat((byte)'N', PickleReader.MaxOpcodes).ToArray());
        var e = Refused(Archive(p.Stop().ToArray(), deflate: true));
        Assert.Contains($"more than {PickleReader.MaxOpcodes} opcodes", e.Message);
    }

    [Fact]
    public void A_dict_that_contains_itself_is_refused()
    {
        var p = new PickleWriter().EmptyDict().Put(0).String("self").Get(0).SetItem().Stop();
        var message = Refused(Archive(p.ToArray())).Message;
        Assert.Contains("at 'self.self.self.", message);
        Assert.True(message.Length < 400, message);
        Assert.Matches("deeper than|longer than|more than", message);
    }

    [Fact]
    public void Exponentially_shared_dicts_are_refused_after_bounded_work()
    {
        // d0 = {}; d(i+1) = {'a': d(i), 'b': d(i)}: 60 levels are 2^60 paths from a pickle of a few hundred bytes.
        var p = new PickleWriter().EmptyDict().Put(0);
        for (byte i = 0; i < 60; i++)
            p.EmptyDict().Mark().String("a").Get(i).String("b").Get(i).SetItems().Put((byte)(i + 1));
        var e = Refused(Archive(p.Stop().ToArray()));
        Assert.Contains("refers to its objects more than", e.Message);
    }

    [Fact]
    public void A_zip_bomb_is_refused_before_it_is_inflated()
    {
        // 64 MiB of zeros deflate to about 64 KiB: the entry claims a ratio of ~1000.
        const long numel = 16 << 20;
        string path = Path.Combine(dir, "bomb.pt");
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            using (var s = zip.CreateEntry("archive/data.pkl").Open())
                s.Write(CheckpointCrafting.OneTensorPickle(numel, 0, [numel], [1]));
            using var data = zip.CreateEntry("archive/data/0", CompressionLevel.Optimal).Open();
            var zeros = new byte[1 << 20];
            for (int i = 0; i < 64; i++) data.Write(zeros);
        }
        Assert.True(new FileInfo(path).Length < 1 << 20);
        var e = Refused(path);
        Assert.Contains("entry 'archive/data/0' claims to inflate", e.Message);
        Assert.Contains("(a zip bomb?)", e.Message);
    }

    [Fact]
    public void A_zip_entry_whose_header_understates_its_size_is_never_inflated_past_it()
    {
        // A deflated data.pkl whose local and central headers claim half its real size.
        var pickle = new PickleWriter().EmptyDict();
        for (int i = 0; i < 200; i++) pickle.String($"key{i}").Int(i).SetItem();
        var bytes = pickle.Stop().ToArray();
        string path = Archive(bytes, deflate: true);
        var file = File.ReadAllBytes(path);
        int patched = 0;
        for (int i = 0; i + 4 <= file.Length; i++)
        {
            uint signature = BitConverter.ToUInt32(file, i);
            int at = signature == 0x04034b50 ? i + 22 : signature == 0x02014b50 ? i + 24 : -1;
            if (at < 0 || BitConverter.ToUInt32(file, at) != bytes.Length) continue;
            BitConverter.GetBytes(bytes.Length / 2).CopyTo(file, at);
            patched++;
        }
        Assert.Equal(2, patched);
        File.WriteAllBytes(path, file);
        Refused(path);
    }

    [Fact]
    public void A_storage_entry_shorter_than_the_pickle_claims_is_refused_before_allocating()
    {
        string path = Archive(CheckpointCrafting.OneTensorPickle(1L << 40, 0, [4], [1]), Storage0(FourFloats));
        Assert.Contains("storage 'data/0' holds 16 bytes, 4398046511104 expected", Refused(path).Message);
    }

    public static TheoryData<long, long[], long[], string> BadViews => new()
    {
        { 1, [4], [1], "reads element 4 of a storage of 4 elements" },
        { 0, [2, 3], [3, 1], "reads element 5 of a storage of 4 elements" },
        { 0, [-1], [1], "negative offset, size or stride" },
        { 0, [2], [-1], "negative offset, size or stride" },
        { -1, [1], [1], "negative offset, size or stride" },
        { 0, [1L << 40, 1L << 40], [1, 1], "size product that overflows" },
        { 0, [3, 2], [long.MaxValue / 2, long.MaxValue / 2], "reaches past any storage (overflow)" },
        { 0, [2], [1, 1], "has 1 sizes but 2 strides" },
        { 0, [1_000_000_000], [0], "more than the" }, // an expanded view: 4 GB from 16 bytes
    };

    [Theory, MemberData(nameof(BadViews))]
    public void A_view_outside_its_storage_is_refused_in_CSharp_before_libtorch_sees_it(long offset, long[] size,
        long[] stride, string cause)
    {
        string path = Archive(CheckpointCrafting.OneTensorPickle(4, offset, size, stride), Storage0(FourFloats));
        var e = Refused(path);
        Assert.Contains("tensor 'w'", e.Message);
        Assert.Contains(cause, e.Message);
    }

    public static TheoryData<string, byte[], string> MalformedPickles => new()
    {
        { "truncated", new PickleWriter().EmptyDict().String("key").ToArray()[..^2], "truncated pickle" },
        { "no STOP", new PickleWriter().EmptyDict().ToArray(), "truncated pickle (no STOP)" },
        { "unknown opcode", new PickleWriter().Op(0xff).ToArray(), "unsupported pickle opcode 0xff at byte 2" },
        { "stack underflow", new PickleWriter().Op((byte)'0').Stop().ToArray(), "stack underflow at byte 2" },
        { "pop below a mark", new PickleWriter().EmptyDict().Mark().Op((byte)'0').Stop().ToArray(), "stack underflow" },
        { "memo miss", new PickleWriter().Get(7).Stop().ToArray(), "memo entry 7 it never stored" },
        { "reduce of no tuple", new PickleWriter().Global("collections", "OrderedDict").Int(1).Reduce().Stop()
            .ToArray(), "REDUCE without an argument tuple" },
        { "append to a dict", new PickleWriter().EmptyDict().Int(1).Op((byte)'a').Stop().ToArray(),
            "APPEND to something that is not a list" },
        { "setitem on a list", new PickleWriter().Op((byte)']').Int(1).Int(2).SetItem().Stop().ToArray(),
            "SETITEM on something that is not a dict" },
        { "odd setitems", new PickleWriter().EmptyDict().Mark().Int(1).SetItems().Stop().ToArray(), "odd number (1)" },
        { "pop mark never set", new PickleWriter().Tuple().Stop().ToArray(), "pops a mark it never set" },
        { "huge integer", new PickleWriter().Op(0x8a, 9, 1, 2, 3, 4, 5, 6, 7, 8, 9).Stop().ToArray(),
            "an integer of 9 bytes" },
        { "negative length", new PickleWriter().Op((byte)'X', 0xff, 0xff, 0xff, 0xff).Stop().ToArray(),
            "truncated pickle: -1 bytes wanted" },
        { "huge length", new PickleWriter().Op(0x8d, 0, 0, 0, 0, 0, 0, 0, 0x7f).Stop().ToArray(), "truncated pickle" },
        { "stack global of ints", new PickleWriter().Int(1).Int(2).Op(0x93).Stop().ToArray(),
            "STACK_GLOBAL without strings" },
        { "persistent id not a storage", new PickleWriter().String("storage").Op((byte)'Q').Stop().ToArray(),
            "unexpected persistent id" },
        { "None as a dict key", new PickleWriter().EmptyDict().Op((byte)'N').Int(1).SetItem().Stop().ToArray(),
            "a dict key is None" },
        { "tensor of strings", new PickleWriter().EmptyDict().String("w")
            .Global("torch._utils", "_rebuild_tensor_v2").Mark().String("x").Tuple().Reduce().SetItem().Stop()
            .ToArray(), "tensor rebuild without a storage" },
    };

    [Theory, MemberData(nameof(MalformedPickles))]
    public void A_malformed_pickle_names_the_file_the_entry_and_the_cause(string what, byte[] pickle, string cause)
    {
        var e = Refused(Archive(pickle));
        Assert.True(e.Message.Contains(cause), $"{what}: {e.Message}");
    }

    [Fact]
    public void A_file_cut_anywhere_in_the_zip_structure_is_a_checkpoint_exception()
    {
        var original = File.ReadAllBytes(Reference.Model("tiny-rn.state_dict.pt"));
        foreach (int cut in new[] { 3, 30, 100, original.Length - 22, original.Length - 100, original.Length - 5000 })
        {
            string path = Path.Combine(dir, $"cut-{cut}.pt");
            File.WriteAllBytes(path, original[..cut]);
            Refused(path);
        }
    }

    [Theory]
    [InlineData("tiny-rn.pt")]
    [InlineData("tiny-rn.state_dict.pt")]
    [InlineData("tiny-rn.safetensors")]
    public void The_checkpoint_and_the_model_carry_the_sha256_of_the_bytes_read(string name)
    {
        string path = Reference.Model(name);
        string expected = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
        using (var checkpoint = CheckpointReader.Read(path)) Assert.Equal(expected, checkpoint.Sha256);
        using var model = ClipSharp.Modeling.ClipModel.Load(path);
        Assert.Equal(expected, model.Sha256);
    }

    [Fact]
    public void The_sha256_comes_from_the_bytes_parsed_not_from_the_file_now_at_that_path()
    {
        // The reader is handed one file's bytes while another file sits at the path it names (a swap after reading):
        // the hash it reports is the parsed bytes', so a cache keyed on it cannot be poisoned.
        var parsed = File.ReadAllBytes(Reference.Model("tiny-rn.safetensors"));
        string path = Path.Combine(dir, "swapped.safetensors");
        File.WriteAllText(path, "not the bytes that were parsed");
        using var checkpoint = SafeTensors.Read(new MemoryStream(parsed), path);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(parsed)), checkpoint.Sha256);
        Assert.NotEqual(ClipSharp.Loading.VerifiedFile.Sha256Of(path), checkpoint.Sha256);

        using var fromTensors = ClipSharp.Modeling.ClipModel.FromStateDict(checkpoint.Tensors);
        Assert.Null(fromTensors.Sha256);
    }

    const int PickledTensorsMaxDepth = 1000;
}
