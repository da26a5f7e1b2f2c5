using ClipSharp.Checkpoints;
using ClipSharp.Modeling;
using static TorchSharp.torch;
using ClipSharp.Loading;

namespace ClipSharp.Tests.Checkpoints;

public class CheckpointErrorTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("clip-ckpt-").FullName;
    public void Dispose() => Directory.Delete(dir, true);

    string Copy(string name, Func<byte[], byte[]> edit)
    {
        string path = Path.Combine(dir, name);
        File.WriteAllBytes(path, edit(File.ReadAllBytes(Reference.Model(name.Split('!')[0]))));
        return path;
    }

    [Fact]
    public void Converting_pt_to_safetensors_and_back_gives_bit_identical_tensors()
    {
        using var original = CheckpointReader.Read(Reference.Model("tiny-rn.pt"));
        string path = Path.Combine(dir, "tiny.safetensors");
        SafeTensors.Write(path, original.Tensors);
        using var roundTrip = CheckpointReader.Read(path);
        Assert.Equal(original.Tensors.Keys.Order(), roundTrip.Tensors.Keys.Order());
        foreach (var (k, t) in original.Tensors) TensorAssert.Identical(t, roundTrip.Tensors[k], k);

        using var a = ClipModel.Load(Reference.Model("tiny-rn.pt"));
        using var b = ClipModel.Load(path);
        var sb = b.state_dict();
        foreach (var (k, t) in a.state_dict()) TensorAssert.Identical(t, sb[k], k);
    }

    [Fact]
    public void A_truncated_pt_archive_is_named_as_truncated()
    {
        string path = Copy("tiny-rn.pt", b => b[..(b.Length / 2)]);
        var e = Assert.Throws<CheckpointException>(() => CheckpointReader.Read(path));
        Assert.Contains($"Checkpoint '{path}' is truncated", e.Message);
    }

    [Fact]
    public void A_truncated_safetensors_file_names_the_tensor_that_is_cut()
    {
        string path = Copy("tiny-rn.safetensors", b => b[..(b.Length - 1000)]);
        var e = Assert.Throws<CheckpointException>(() => CheckpointReader.Read(path));
        Assert.Contains($"Checkpoint '{path}' is truncated: tensor '", e.Message);
    }

    [Fact]
    public void A_file_that_is_no_checkpoint_is_refused_by_name()
    {
        string path = Path.Combine(dir, "notes.pt");
        File.WriteAllText(path, "just some text, not weights");
        var e = Assert.Throws<CheckpointException>(() => CheckpointReader.Read(path));
        Assert.Equal($"Checkpoint '{path}' is neither a PyTorch archive (.pt zip) nor safetensors", e.Message);
    }

    [Fact]
    public void Missing_unexpected_and_misshapen_keys_are_all_named()
    {
        using var checkpoint = CheckpointReader.Read(Reference.Model("tiny-rn.safetensors"));
        var tensors = new Dictionary<string, Tensor>(checkpoint.Tensors);
        tensors.Remove("visual.attnpool.c_proj.bias");
        tensors["visual.extra.weight"] = zeros(3);
        tensors["ln_final.bias"] = zeros(65);
        string path = Path.Combine(dir, "broken.safetensors");
        SafeTensors.Write(path, tensors);
        var e = Assert.Throws<CheckpointException>(() => ClipModel.Load(path));
        Assert.Contains($"Checkpoint '{path}': missing [visual.attnpool.c_proj.bias]", e.Message);
        Assert.Contains("unexpected [visual.extra.weight]", e.Message);
        Assert.Contains("shape mismatch at 'ln_final.bias': checkpoint [65], model [64]", e.Message);
    }

    [Fact]
    public void A_pickle_naming_any_other_global_is_refused_and_nothing_runs()
    {
        // A torch.save zip whose data.pkl asks for os.system: GLOBAL 'os system', then a call.
        string path = Path.Combine(dir, "evil.pt");
        using (var zip = System.IO.Compression.ZipFile.Open(path, System.IO.Compression.ZipArchiveMode.Create))
        using (var s = zip.CreateEntry("evil/data.pkl").Open())
            s.Write([0x80, 0x02, .. "cos\nsystem\nX"u8, 5, 0, 0, 0, .. "touch"u8, 0x85, (byte)'R', (byte)'.']);
        var e = Assert.Throws<CheckpointException>(() => CheckpointReader.Read(path));
        Assert.Contains($"Checkpoint '{path}': refused global 'os.system'", e.Message);
    }

    [Fact]
    public void An_unknown_model_name_lists_the_available_ones()
    {
        var e = Assert.Throws<CheckpointException>(() => ModelFiles.Resolve("RN-50", dir));
        Assert.StartsWith("Unknown model 'RN-50'. Available: RN50, RN101, RN50x4", e.Message);
        var missing = Assert.Throws<CheckpointException>(
            () => ModelFiles.Resolve(Path.Combine(dir, "nothing.pt"), dir));
        Assert.Equal($"Checkpoint '{Path.Combine(dir, "nothing.pt")}' not found", missing.Message);
    }
}
