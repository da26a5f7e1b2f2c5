namespace ClipSharp.Modeling;

/// <summary>The hyper-parameters of a CLIP model, read off a state dict the way the released <c>build_model</c>
/// does.</summary>
/// <param name="VisionLayers">ResNet: blocks per stage (4 stages); ViT: one entry, the number of residual blocks.
/// </param>
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

    /// <summary>Bounds on what a checkpoint may describe (the released models are far inside them): a shape past one
    /// of these is a corrupt or hostile file, refused before any module is built.</summary>
    const long MaxWidth = 16384, MaxLayers = 256, MaxContext = 2048, MaxVocab = 10_000_000, MaxResolution = 4096;

    /// <summary>Infers the configuration from state-dict shapes (key → shape) as the released <c>build_model</c>
    /// does, and checks what it needs: the keys exist with the ranks it indexes, widths split into whole heads, the
    /// image grids are squares plus one token, every tower has at least one block, and the model these shapes imply
    /// has no more parameters than the state dict holds values (so absurd dims cannot make the constructor
    /// allocate).</summary>
    public static ClipConfig FromShapes(IReadOnlyDictionary<string, long[]> shapes, string source = "state dict")
    {
        StateDictException Bad(string key, string what) => new($"Checkpoint '{source}': [{key}] {what}");
        long[] Shape(string key, int rank)
        {
            var s = shapes.TryGetValue(key, out var found) ? found
                : throw new StateDictException(
                    $"Checkpoint '{source}': missing [{key}], needed to infer the model configuration");
            return s.Length == rank ? s
                : throw Bad(key, $"has shape [{string.Join(", ", s)}]: a {rank}-D tensor is needed");
        }
        int Size(string key, long value, string what, long max) =>
            value is >= 1 && value <= max ? (int)value : throw Bad(key, $"gives {what} {value}, outside 1..{max}");
        int Blocks(string prefix)
        {
            var names = shapes.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal))
                .Select(k => k[prefix.Length..].Split('.')[0]).Distinct().ToList();
            if (names.Count == 0)
                throw new StateDictException(
                    $"Checkpoint '{source}': no [{prefix}*] keys: the model needs at least one block there");
            if (names.Count > MaxLayers)
                throw new StateDictException(
                    $"Checkpoint '{source}': {names.Count} blocks under [{prefix}*], at most {MaxLayers}");
            var expected = Enumerable.Range(0, names.Count)
                .Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (!names.Order(StringComparer.Ordinal).SequenceEqual(expected.Order(StringComparer.Ordinal)))
                throw new StateDictException($"Checkpoint '{source}': the blocks under [{prefix}*] are named " +
                    $"{string.Join(", ", names.Take(10))}{(names.Count > 10 ? ", …" : "")}, " +
                    $"not 0..{names.Count - 1}");
            return names.Count;
        }
        int Heads(string key, int width, int heads) => heads >= 1 && width % heads == 0 ? heads
            : throw Bad(key, $"gives width {width}, which does not split into {heads} attention heads of 64 channels");
        int Grid(string key, long tokens)
        {
            long grid = (long)Math.Round(Math.Sqrt(tokens - 1));
            return tokens >= 2 && grid * grid + 1 == tokens ? (int)grid
                : throw Bad(key, $"has {tokens} positions, not a square grid plus one");
        }

        int embedDim = Size("text_projection", Shape("text_projection", 2)[1], "embed dim", MaxWidth);
        int contextLength = Size("positional_embedding", Shape("positional_embedding", 2)[0], "context length",
            MaxContext);
        int vocabSize = Size("token_embedding.weight", Shape("token_embedding.weight", 2)[0], "vocabulary size",
            MaxVocab);
        int transformerWidth = Size("ln_final.weight", Shape("ln_final.weight", 1)[0], "text width", MaxWidth);
        int transformerHeads = Heads("ln_final.weight", transformerWidth, transformerWidth / 64);
        int transformerLayers = Blocks("transformer.resblocks.");

        ClipConfig config;
        if (shapes.ContainsKey("visual.proj"))
        {
            Shape("visual.proj", 2);
            var conv = Shape("visual.conv1.weight", 4);
            int width = Size("visual.conv1.weight", conv[0], "vision width", MaxWidth);
            int patch = Size("visual.conv1.weight", conv[^1], "patch size", MaxResolution);
            int grid = Grid("visual.positional_embedding", Shape("visual.positional_embedding", 2)[0]);
            Heads("visual.conv1.weight", width, width / 64);
            int layers = Blocks("visual.transformer.resblocks.");
            Size("visual.positional_embedding", (long)patch * grid, "image resolution", MaxResolution);
            config = new(embedDim, patch * grid, [layers], width, patch, contextLength, vocabSize,
                transformerWidth, transformerHeads, transformerLayers);
        }
        else
        {
            int[] stages = [.. Enumerable.Range(1, 4).Select(i => Blocks($"visual.layer{i}."))];
            const string stem = "visual.layer1.0.conv1.weight";
            int visionWidth = Size(stem, Shape(stem, 4)[0], "vision width", MaxWidth / 32);
            if (visionWidth < 2) throw Bad(stem, "gives vision width 1: the stem needs at least 2");
            Heads(stem, visionWidth * 32, visionWidth * 32 / 64);
            const string pool = "visual.attnpool.positional_embedding";
            int outputGrid = Grid(pool, Shape(pool, 2)[0]);
            Size(pool, outputGrid * 32L, "image resolution", MaxResolution);
            config = new(embedDim, outputGrid * 32, stages, visionWidth, null, contextLength, vocabSize,
                transformerWidth, transformerHeads, transformerLayers);
        }

        long values = 0;
        foreach (var s in shapes.Values)
            values = Math.Min(long.MaxValue / 2, values + s.Aggregate(1L, (a, d) =>
                d <= 0 ? 0 : a > long.MaxValue / 2 / d ? long.MaxValue / 2 : a * d)); // saturating
        if (config.ParameterCount > values)
            throw new StateDictException($"Checkpoint '{source}': its shapes describe a model of " +
                $"{config.ParameterCount} parameters ({config}), but it holds only {values} values: " +
                "tensors are missing or misshapen");
        return config;
    }

    /// <summary>The number of parameters (not buffers) the model of this configuration has; the released RN50 has
    /// 102,007,137.</summary>
    public long ParameterCount
    {
        get
        {
            static long Block(long w) => 12 * w * w + 13 * w; // attention (in/out projections), MLP, two layer norms
            long text = (long)VocabSize * TransformerWidth + (long)ContextLength * TransformerWidth
                + TransformerLayers * Block(TransformerWidth) + 2L * TransformerWidth
                + (long)TransformerWidth * EmbedDim + 1;
            return text + (IsVisionTransformer ? VisionTransformerParameters() : ResNetParameters());

            long VisionTransformerParameters()
            {
                long w = VisionWidth, p = VisionPatchSize!.Value, g = ImageResolution / p;
                return 3 * w * p * p + w + (g * g + 1) * w + 2 * w + VisionLayers[0] * Block(w) + 2 * w + w * EmbedDim;
            }

            long ResNetParameters()
            {
                long half = VisionWidth / 2, w = VisionWidth;
                long total = 3 * half * 9 + 2 * half + half * half * 9 + 2 * half + half * w * 9 + 2 * w; // the stem
                long inplanes = w;
                for (int stage = 0; stage < 4; stage++)
                {
                    long planes = w << stage;
                    for (int block = 0; block < VisionLayers[stage]; block++)
                    {
                        // conv1 + bn1, conv2 + bn2, conv3 + bn3 (4× wider), and the shortcut's conv + bn
                        total += inplanes * planes + 2 * planes + planes * planes * 9 + 2 * planes
                            + planes * 4 * planes + 8 * planes;
                        if ((stage > 0 && block == 0) || inplanes != 4 * planes)
                            total += inplanes * 4 * planes + 8 * planes;
                        inplanes = 4 * planes;
                    }
                }
                long embed = 32 * w, grid = ImageResolution / 32;
                return total + (grid * grid + 1) * embed + 3 * (embed * embed + embed) + embed * EmbedDim + EmbedDim;
            }
        }
    }

    /// <summary>The configuration as the released code names it (snake_case JSON), for checkpoint metadata.</summary>
    public string ToJson() => System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["embed_dim"] = EmbedDim, ["image_resolution"] = ImageResolution,
        ["vision_layers"] = IsVisionTransformer ? VisionLayers[0] : VisionLayers, ["vision_width"] = VisionWidth,
        ["vision_patch_size"] = VisionPatchSize, ["context_length"] = ContextLength, ["vocab_size"] = VocabSize,
        ["transformer_width"] = TransformerWidth, ["transformer_heads"] = TransformerHeads,
        ["transformer_layers"] = TransformerLayers,
    });

    public override string ToString() =>
        (IsVisionTransformer ? $"ViT (patch {VisionPatchSize}, {VisionLayers[0]} layers)"
            : $"ModifiedResNet ({string.Join(",", VisionLayers)})") +
        $", width {VisionWidth}, {ImageResolution} px, embed {EmbedDim}, " +
        $"text {TransformerWidth}×{TransformerLayers} ({TransformerHeads} heads), context {ContextLength}, " +
        $"vocab {VocabSize}";
}
