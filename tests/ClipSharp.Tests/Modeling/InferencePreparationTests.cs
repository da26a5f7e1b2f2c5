using ClipSharp.Checkpoints;
using ClipSharp.Modeling;
using TorchSharp;
using static TorchSharp.torch;
using ClipSharp.Loading;

namespace ClipSharp.Tests.Modeling;

/// <summary>The speed-ups change no result: folded batch norms, channels-last weights and the rewritten attention pool
/// give the textbook model's features; bf16 stays within cosine 0.999; nothing leaks over many batches.</summary>
public class InferencePreparationTests
{
    static ClipModel Unprepared(string file)
    {
        using var checkpoint = CheckpointReader.Read(Reference.Model(file));
        var shapes = checkpoint.Tensors.ToDictionary(kv => kv.Key, kv => kv.Value.shape);
        var model = new ClipModel(ClipConfig.FromShapes(shapes, file)); // batch norms run as such, NCHW weights
        StateDictLoader.Load(model, checkpoint.Tensors, file);
        return model;
    }

    [Fact]
    public void Folding_batch_norms_into_channels_last_convolutions_keeps_the_features()
    {
        using var expected = Reference.Expected("tiny-rn");
        using var plain = Unprepared("tiny-rn.pt");
        using var prepared = ClipModel.Load(Reference.Model("tiny-rn.pt"));
        using var a = plain.EncodeImage(expected.Tensors["input.image"]);
        using var b = prepared.EncodeImage(expected.Tensors["input.image"]);
        TensorAssert.Close(a, b, relative: 1e-5, what: "folded vs batch-norm features");

        // The folded weights really are channels-last (NHWC strides), and the batch norms no longer run.
        var conv = prepared.named_parameters().First(p => p.name == "visual.layer1.0.conv2.weight").parameter;
        Assert.Equal(1, conv.stride()[1]);
        Assert.Contains(prepared.named_parameters(), p => p.name == "visual.layer1.0.conv2.bias");
    }

    public static TheoryData<string> Models => new() { "tiny-rn.pt", "tiny-vit.pt" };

    [Theory]
    [MemberData(nameof(Models))]
    public void Bf16_image_features_stay_within_cosine_0_999_of_fp32(string file)
    {
        using var expected = Reference.Expected(file[..file.IndexOf('.')]);
        using var fp32 = ClipModel.Load(Reference.Model(file));
        using var bf16 = ClipModel.Load(Reference.Model(file), imageDType: ScalarType.BFloat16);
        Assert.Equal(ScalarType.BFloat16, bf16.ImageDType);
        using var a = fp32.EncodeImage(expected.Tensors["input.image"]);
        using var b = bf16.EncodeImage(expected.Tensors["input.image"]);
        Assert.Equal(ScalarType.Float32, b.dtype);
        using var cosine = nn.functional.cosine_similarity(a, b, dim: 1);
        Assert.True(cosine.min().item<float>() >= 0.999f, $"{file}: bf16 cosine to fp32 {cosine.min().item<float>()}");
        Assert.True((a - b).abs().max().item<float>() > 0,
            "bf16 gave fp32's exact features: it did not compute in bf16");
    }

    [Fact]
    public void A_thousand_batches_leave_no_tensor_behind()
    {
        using var expected = Reference.Expected("tiny-rn");
        using var model = ClipModel.Load(Reference.Model("tiny-rn.pt"));
        var images = expected.Tensors["input.image"];
        var tokens = expected.Tensors["input.text"];
        void Batch()
        {
            using var image = model.EncodeImage(images);
            using var text = model.EncodeText(tokens);
            using var logits = model.Logits(image, text);
        }
        Batch();
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (int i = 0; i < 1000; i++) Batch();
        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void Only_float32_and_bfloat16_image_towers_are_offered()
    {
        using var model = ClipModel.Load(Reference.Model("tiny-rn.pt"));
        var e = Assert.Throws<ArgumentException>(() => model.PrepareForInference(ScalarType.Float16));
        Assert.Contains("Float32 or BFloat16", e.Message);
    }
}
