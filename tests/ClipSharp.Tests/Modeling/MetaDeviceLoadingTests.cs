using System.Security.Cryptography;
using ClipSharp.Checkpoints;
using ClipSharp.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipSharp.Tests.Modeling;

/// <summary>The fast start changes no number: a model built on the meta device and given the checkpoint's tensors
/// equals one built with random weights and copied into; nothing is left on the meta device; the caller's tensors are
/// not shared; the cheap finite check refuses exactly what the exact one does; background hashing hashes the file.
/// </summary>
public class MetaDeviceLoadingTests
{
    static ClipModel Copied(Checkpoint checkpoint, string source)
    {
        var shapes = checkpoint.Tensors.ToDictionary(kv => kv.Key, kv => kv.Value.shape);
        var model = new ClipModel(ClipConfig.FromShapes(shapes, source)); // random weights, then copy_
        StateDictLoader.Load(model, checkpoint.Tensors, source);
        return model.PrepareForInference();
    }

    [Theory]
    [InlineData("tiny-rn.safetensors")]
    [InlineData("tiny-vit.safetensors")]
    [InlineData("tiny-rn.pt")]
    public void Assigned_and_copied_weights_give_identical_models_and_features(string file)
    {
        using var checkpoint = CheckpointReader.Read(Reference.Model(file));
        using var assigned = ClipModel.FromStateDict(checkpoint.Tensors, file);
        using var copied = Copied(checkpoint, file);
        var expected = copied.state_dict();
        var actual = assigned.state_dict();
        Assert.Equal(expected.Keys, actual.Keys);
        foreach (var (key, tensor) in expected)
        {
            Assert.NotEqual(DeviceType.META, actual[key].device_type);
            Assert.Equal(tensor.dtype, actual[key].dtype);
            TensorAssert.Identical(tensor, actual[key], key);
        }
        manual_seed(5);
        using var images = randn(2, 3, assigned.ImageResolution, assigned.ImageResolution);
        using var tokens = Reference.Tokenizer.Tokenize(["a photo of a cat", "glasses"],
            assigned.ContextLength);
        using var a = copied.EncodeImage(images);
        using var b = assigned.EncodeImage(images);
        TensorAssert.Identical(a, b, "image features");
        using var c = copied.EncodeText(tokens);
        using var d = assigned.EncodeText(tokens);
        TensorAssert.Identical(c, d, "text features");
    }

    [Fact]
    public void A_state_dict_without_batch_counters_still_loads_and_the_model_does_not_share_its_tensors()
    {
        using var checkpoint = CheckpointReader.Read(Reference.Model("tiny-rn.safetensors"));
        var tensors = checkpoint.Tensors
            .Where(kv => !kv.Key.EndsWith(".num_batches_tracked", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key, kv => kv.Value.to_type(ScalarType.Float32));
        using var model = ClipModel.FromStateDict(tensors, "memory");
        Assert.DoesNotContain(model.state_dict().Values, t => t.device_type == DeviceType.META);
        using var before = model.state_dict()["positional_embedding"].clone();
        tensors["positional_embedding"].fill_(7); // the caller's tensor changes; the model's must not
        TensorAssert.Identical(before, model.state_dict()["positional_embedding"], "positional_embedding");
        foreach (var t in tensors.Values) t.Dispose();
    }

    [Fact]
    public void Huge_finite_weights_whose_sum_overflows_are_not_refused_but_a_single_nan_is()
    {
        using var checkpoint = CheckpointReader.Read(Reference.Model("tiny-rn.safetensors"));
        var tensors = checkpoint.Tensors.ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        const string key = "visual.layer1.0.conv2.weight";
        tensors[key] = full(tensors[key].shape, 3e38f, ScalarType.Float32); // finite; their sum is not
        using (ClipModel.FromStateDict(tensors, "huge")) { }
        tensors[key][0, 0, 0, 0] = tensor(float.NaN);
        var e = Assert.Throws<StateDictException>(() => ClipModel.FromStateDict(tensors, "nan"));
        Assert.Contains($"'{key}' holds NaN/Inf", e.Message);
        foreach (var t in tensors.Values) t.Dispose();
    }

    [Theory]
    [InlineData("tiny-rn.safetensors")]
    [InlineData("tiny-rn.pt")]
    public void Hashing_on_another_thread_gives_the_files_sha256(string file)
    {
        string path = Reference.Model(file);
        using var checkpoint = CheckpointReader.Read(path);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))), checkpoint.Sha256);
    }
}
