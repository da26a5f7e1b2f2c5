using ClipSharp.Checkpoints;
using ClipSharp.Modeling;
using static TorchSharp.torch;

namespace ClipSharp.Tests.Hardening;

/// <summary>The architecture a state dict describes is checked as <c>build_model</c> reads it, before any module is
/// built: missing towers, wrong ranks, impossible head splits or grids, and absurd sizes are named errors.</summary>
public class CheckpointConfigTests
{
    const string Source = "edited.safetensors";

    static Dictionary<string, long[]> Shapes(string model)
    {
        using var checkpoint = CheckpointReader.Read(Reference.Model(model));
        return checkpoint.Tensors.ToDictionary(kv => kv.Key, kv => kv.Value.shape);
    }

    static string Refused(Dictionary<string, long[]> shapes)
    {
        var e = Assert.Throws<StateDictException>(() => ClipConfig.FromShapes(shapes, Source));
        Assert.StartsWith($"Checkpoint '{Source}': ", e.Message);
        return e.Message;
    }

    static Dictionary<string, long[]> Without(Dictionary<string, long[]> shapes, string prefix) =>
        shapes.Where(kv => !kv.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary();

    [Fact]
    public void Without_text_blocks_the_checkpoint_is_refused_not_loaded_as_a_zero_layer_tower()
    {
        var shapes = Without(Shapes("tiny-rn.safetensors"), "transformer.resblocks.");
        Assert.Contains("no [transformer.resblocks.*] keys", Refused(shapes));
    }

    [Theory]
    [InlineData("visual.layer1.")]
    [InlineData("visual.layer4.")]
    public void Without_a_resnet_stage_the_checkpoint_is_refused(string stage)
    {
        Assert.Contains($"no [{stage}*] keys", Refused(Without(Shapes("tiny-rn.safetensors"), stage)));
    }

    [Theory]
    [InlineData("text_projection", new long[] { 64 }, "[text_projection] has shape [64]: a 2-D tensor is needed")]
    [InlineData("positional_embedding", new long[] { 77, 64, 1 },
        "[positional_embedding] has shape [77, 64, 1]: a 2-D")]
    [InlineData("token_embedding.weight", new long[] { 49408 }, "[token_embedding.weight] has shape [49408]: a 2-D")]
    [InlineData("ln_final.weight", new long[] { 64, 1 }, "[ln_final.weight] has shape [64, 1]: a 1-D")]
    [InlineData("visual.layer1.0.conv1.weight", new long[] { 16, 64, 1 },
        "[visual.layer1.0.conv1.weight] has shape [16, 64, 1]: a 4-D")]
    [InlineData("visual.attnpool.positional_embedding", new long[] { 6, 512 },
        "has 6 positions, not a square grid plus one")]
    [InlineData("visual.attnpool.positional_embedding", new long[] { 1, 512 },
        "has 1 positions, not a square grid plus one")]
    [InlineData("ln_final.weight", new long[] { 32 }, "gives width 32, which does not split into 0 attention heads")]
    [InlineData("ln_final.weight", new long[] { 129 }, "gives width 129, which does not split into 2 attention heads")]
    [InlineData("ln_final.weight", new long[] { 0 }, "gives text width 0, outside 1..16384")]
    [InlineData("positional_embedding", new long[] { 100_000, 64 }, "gives context length 100000, outside 1..2048")]
    [InlineData("text_projection", new long[] { 64, -3 }, "gives embed dim -3")]
    [InlineData("visual.layer1.0.conv1.weight", new long[] { 1, 16, 1, 1 }, "gives vision width 1")]
    public void A_shape_build_model_cannot_use_is_named(string key, long[] shape, string message)
    {
        var shapes = Shapes("tiny-rn.safetensors");
        shapes[key] = shape;
        Assert.Contains(message, Refused(shapes));
    }

    [Fact]
    public void Blocks_not_numbered_from_zero_are_named()
    {
        var shapes = Shapes("tiny-rn.safetensors");
        var second = shapes.Keys.Where(k => k.StartsWith("transformer.resblocks.1.", StringComparison.Ordinal));
        foreach (var key in second.ToList())
        {
            shapes[key.Replace("resblocks.1.", "resblocks.7.")] = shapes[key];
            shapes.Remove(key);
        }
        Assert.Contains("the blocks under [transformer.resblocks.*] are named 0, 7, not 0..1", Refused(shapes));
    }

    [Fact]
    public void A_vision_transformer_needs_its_keys_with_their_ranks_and_a_square_grid()
    {
        var shapes = Shapes("tiny-vit.safetensors");
        Assert.Contains("no [visual.transformer.resblocks.*] keys",
            Refused(Without(shapes, "visual.transformer.resblocks.")));
        Assert.Contains("missing [visual.conv1.weight]", Refused(Without(shapes, "visual.conv1.")));
        Assert.Contains("[visual.proj] has shape [128]: a 2-D", Refused(new(shapes) { ["visual.proj"] = [128] }));
        Assert.Contains("not a square grid plus one",
            Refused(new(shapes) { ["visual.positional_embedding"] = [18, 128] }));
        Assert.Contains("gives width 129, which does not split into 2 attention heads",
            Refused(new(shapes) { ["visual.conv1.weight"] = [129, 3, 8, 8] }));
        Assert.Contains("gives patch size 0", Refused(new(shapes) { ["visual.conv1.weight"] = [128, 3, 8, 0] }));
    }

    [Fact]
    public void Absurd_dims_are_refused_before_the_model_is_built()
    {
        // A vocabulary of ten million rows claimed by a file of a few million values: building it would allocate
        // gigabytes; the parameter count these shapes imply exceeds what the state dict holds, so it is refused.
        var shapes = Shapes("tiny-rn.safetensors");
        shapes["token_embedding.weight"] = [10_000_000, 64];
        shapes["ln_final.weight"] = [16384];
        var message = Refused(shapes);
        Assert.Contains("its shapes describe a model of", message);
        Assert.Contains("tensors are missing or misshapen", message);
    }

    [Theory]
    [InlineData("tiny-rn.safetensors")]
    [InlineData("tiny-vit.safetensors")]
    public void The_parameter_count_of_a_configuration_is_that_of_the_model_built_from_it(string model)
    {
        var config = ClipConfig.FromShapes(Shapes(model), model);
        using var built = new ClipModel(config);
        Assert.Equal(built.parameters().Sum(p => p.numel()), config.ParameterCount);
        Assert.Equal(102_007_137, ClipConfig.RN50.ParameterCount);
    }

    [Fact]
    public void An_in_memory_state_dict_without_a_stage_is_refused_by_FromStateDict()
    {
        using var checkpoint = CheckpointReader.Read(Reference.Model("tiny-rn.safetensors"));
        var tensors = checkpoint.Tensors.Where(kv => !kv.Key.StartsWith("visual.layer4.", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key, kv => kv.Value);
        var e = Assert.Throws<StateDictException>(() => ClipModel.FromStateDict(tensors, "memory"));
        Assert.Equal("Checkpoint 'memory': no [visual.layer4.*] keys: the model needs at least one block there",
            e.Message);
    }
}
