using ClipSharp.Modeling;
using ClipSharp.Loading;

namespace ClipSharp.Tests.Modeling;

public class ClipModelStructureTests
{
    /// <summary>The released RN50 state dict's key → shape, from <c>rn50.keys.tsv</c> ("scalar" or "AxBxC").
    /// </summary>
    static Dictionary<string, long[]> ReleasedShapes() =>
        File.ReadAllLines(Reference.File("rn50.keys.tsv")).Skip(1)
            .Select(l => l.Split('\t'))
            .ToDictionary(c => c[0], c => c[1] == "scalar" ? [] : c[1].Split('x').Select(long.Parse).ToArray());

    static bool IsBuffer(string key) =>
        key.EndsWith("num_batches_tracked") || key.EndsWith("running_mean") || key.EndsWith("running_var");

    [Fact]
    public void A_fresh_RN50_exposes_every_key_and_shape_of_the_released_state_dict()
    {
        var released = ReleasedShapes();
        Assert.Equal(489, released.Count);

        using var model = new ClipModel(ClipConfig.RN50);
        var ours = model.state_dict();
        Assert.Equal(released.Keys.Order(), ours.Keys.Order());
        foreach (var (key, shape) in released)
            Assert.True(shape.SequenceEqual(ours[key].shape),
                $"{key}: released [{string.Join(",", shape)}], ours [{string.Join(",", ours[key].shape)}]");
        long parameters = released.Where(kv => !IsBuffer(kv.Key))
            .Sum(kv => kv.Value.Aggregate(1L, (a, b) => a * b));
        Assert.Equal(102_007_137, parameters);
        Assert.Equal(102_007_137, model.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void The_RN50_configuration_is_inferred_from_the_released_shapes()
    {
        var config = ClipConfig.FromShapes(ReleasedShapes());
        Assert.Equal(ClipConfig.RN50 with { VisionLayers = config.VisionLayers }, config);
        Assert.Equal([3, 4, 6, 3], config.VisionLayers);
        Assert.Equal(32, config.VisionHeads);
    }

    [Fact]
    public void Text_encoding_up_to_the_last_EOT_equals_the_full_context_computation()
    {
        using var expected = Reference.Expected("tiny-rn");
        using var model = ClipModel.Load(Reference.Model("tiny-rn.safetensors"));
        var tokens = expected.Tensors["input.text"];
        using var shortened = model.EncodeText(tokens);
        // A token id past each EOT would be ignored only if the computation really stops at the EOT: pad with EOT-less
        // garbage after it and the result must not move.
        using var noisy = tokens.clone();
        using var eot = tokens.argmax(-1);
        for (int i = 0; i < tokens.shape[0]; i++)
            for (long j = eot[i].item<long>() + 1; j < tokens.shape[1]; j++) noisy[i, j] = 1000;
        using var noisyFeatures = model.EncodeText(noisy);
        TensorAssert.Close(shortened, noisyFeatures, 1e-6, "features with tokens after EOT");
        TensorAssert.Close(expected.Tensors["text_features"], shortened, 1e-4, "text_features");
    }

    [Fact]
    public void Many_prompts_encoded_in_length_groups_equal_each_prompt_encoded_alone()
    {
        using var model = ClipModel.Load(Reference.Model("tiny-rn.safetensors"));
        // 70 prompts of 1 to 30 words: more than one length group, in an order unrelated to length.
        var prompts = Enumerable.Range(0, 70)
            .Select(i => string.Join(" ", Enumerable.Repeat("glasses", 1 + i * 37 % 30))).ToList();
        using var tokens = ClipSharp.Text.ClipTokenizer.Tokenize(prompts, tokenizer: Reference.Tokenizer);
        using var together = model.EncodeText(tokens);
        for (int i = 0; i < prompts.Count; i++)
        {
            using var alone = model.EncodeText(tokens[i..(i + 1)]);
            TensorAssert.Close(alone, together[i..(i + 1)], 1e-5, $"prompt {i}");
        }
    }
}
