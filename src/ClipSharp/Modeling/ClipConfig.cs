namespace ClipSharp.Modeling;

/// <summary>The hyper-parameters of a CLIP model, read off a state dict the way the released <c>build_model</c> does.</summary>
/// <param name="VisionLayers">ResNet: blocks per stage (4 stages); ViT: one entry, the number of residual blocks.</param>
/// <param name="VisionPatchSize">ViT patch size; null for the ResNet image tower.</param>
public sealed record ClipConfig(
    int EmbedDim,
    int ImageResolution,
    int[] VisionLayers,
    int VisionWidth,
    int? VisionPatchSize,
    int ContextLength,
    int VocabSize,
    int TransformerWidth,
    int TransformerHeads,
    int TransformerLayers)
{
    public bool IsVisionTransformer => VisionPatchSize is not null;

    /// <summary>ResNet towers use width·32/64 attention-pool heads; ViT towers one head per 64 channels.</summary>
    public int VisionHeads => IsVisionTransformer ? VisionWidth / 64 : VisionWidth * 32 / 64;

    /// <summary>The released RN50: 102,007,137 parameters.</summary>
    public static ClipConfig RN50 { get; } = new(1024, 224, [3, 4, 6, 3], 64, null, 77, 49408, 512, 8, 12);

    /// <summary>Infers the configuration from state-dict shapes (key → shape).</summary>
    public static ClipConfig FromShapes(IReadOnlyDictionary<string, long[]> shapes, string source = "state dict")
    {
        long[] Shape(string key) => shapes.TryGetValue(key, out var s)
            ? s : throw new CheckpointException($"Checkpoint '{source}': missing [{key}], needed to infer the model configuration");
        int Distinct(string prefix) => shapes.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal))
            .Select(k => k[prefix.Length..].Split('.')[0]).Distinct().Count();

        int embedDim = (int)Shape("text_projection")[1];
        int contextLength = (int)Shape("positional_embedding")[0];
        int vocabSize = (int)Shape("token_embedding.weight")[0];
        int transformerWidth = (int)Shape("ln_final.weight")[0];
        int transformerLayers = Distinct("transformer.resblocks.");

        if (shapes.ContainsKey("visual.proj"))
        {
            int width = (int)Shape("visual.conv1.weight")[0];
            int patch = (int)Shape("visual.conv1.weight")[^1];
            int grid = (int)Math.Round(Math.Sqrt(Shape("visual.positional_embedding")[0] - 1));
            int layers = Distinct("visual.transformer.resblocks.");
            return new(embedDim, patch * grid, [layers], width, patch, contextLength, vocabSize,
                transformerWidth, transformerWidth / 64, transformerLayers);
        }

        int[] stages = [.. Enumerable.Range(1, 4).Select(i => Distinct($"visual.layer{i}."))];
        int visionWidth = (int)Shape("visual.layer1.0.conv1.weight")[0];
        int outputGrid = (int)Math.Round(Math.Sqrt(Shape("visual.attnpool.positional_embedding")[0] - 1));
        return new(embedDim, outputGrid * 32, stages, visionWidth, null, contextLength, vocabSize,
            transformerWidth, transformerWidth / 64, transformerLayers);
    }

    /// <summary>The configuration as the released code names it (snake_case JSON), for checkpoint metadata.</summary>
    public string ToJson() => System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["embed_dim"] = EmbedDim, ["image_resolution"] = ImageResolution,
        ["vision_layers"] = IsVisionTransformer ? VisionLayers[0] : VisionLayers, ["vision_width"] = VisionWidth,
        ["vision_patch_size"] = VisionPatchSize, ["context_length"] = ContextLength, ["vocab_size"] = VocabSize,
        ["transformer_width"] = TransformerWidth, ["transformer_heads"] = TransformerHeads, ["transformer_layers"] = TransformerLayers,
    });

    public override string ToString() =>
        $"{(IsVisionTransformer ? $"ViT (patch {VisionPatchSize}, {VisionLayers[0]} layers)" : $"ModifiedResNet ({string.Join(",", VisionLayers)})")}" +
        $", width {VisionWidth}, {ImageResolution} px, embed {EmbedDim}, text {TransformerWidth}×{TransformerLayers} ({TransformerHeads} heads), context {ContextLength}, vocab {VocabSize}";
}
