using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ClipSharp.Modeling;

/// <summary>CLIP: an image tower (ModifiedResNet or VisionTransformer) and a causal text transformer, projected into
/// one embedding space. <c>forward(images, tokens)</c> returns (logits per image [n, m], logits per text [m, n]).
/// Built from tensors only; files come in through <c>ClipSharp.Loading</c> (<c>ClipModel.Load</c>).</summary>
public sealed class ClipModel : nn.Module<Tensor, Tensor, (Tensor LogitsPerImage, Tensor LogitsPerText)>,
    IAssignableParameters
{
    readonly nn.Module<Tensor, Tensor> visual;
    readonly Transformer transformer;
    readonly TokenEmbedding token_embedding;
    Parameter positional_embedding;
    readonly LayerNorm ln_final;
    Parameter text_projection;
    Parameter logit_scale;

    public ClipConfig Config { get; }

    /// <summary>A model of random weights (initialised as the released code does before training).</summary>
    public ClipModel(ClipConfig config) : this(config, null) { }

    /// <summary>On the meta device (<see cref="ParameterAssignment.Meta"/>) the model has shapes only: nothing is
    /// allocated or initialised, and a loader assigns every tensor (see <see cref="StateDictLoader"/>).</summary>
    internal ClipModel(ClipConfig config, Device? device) : base(nameof(ClipModel))
    {
        Config = config;
        visual = config.IsVisionTransformer
            ? new VisionTransformer(config.ImageResolution, config.VisionPatchSize!.Value, config.VisionWidth,
                config.VisionLayers[0], config.VisionHeads, config.EmbedDim, device)
            : new ModifiedResNet(config.VisionLayers, config.EmbedDim, config.VisionHeads, config.ImageResolution,
                config.VisionWidth, device);
        int width = config.TransformerWidth;
        transformer = new Transformer(width, config.TransformerLayers, config.TransformerHeads, causal: true, device);
        token_embedding = new TokenEmbedding(config.VocabSize, width, device);
        positional_embedding = nn.Parameter(torch.randn(config.ContextLength, width, device: device) * 0.01);
        ln_final = nn.LayerNorm(width, device: device);
        text_projection = nn.Parameter(
            torch.randn(width, config.EmbedDim, device: device) / Math.Sqrt(width));
        logit_scale = nn.Parameter(torch.tensor(Math.Log(1 / 0.07), float32, device));
        RegisterComponents();
        eval();
        foreach (var p in parameters()) p.requires_grad = false; // inference only
    }

    void IAssignableParameters.Assign(string name, Parameter value)
    {
        switch (name)
        {
            case nameof(positional_embedding): positional_embedding.Dispose(); positional_embedding = value; break;
            case nameof(text_projection): text_projection.Dispose(); text_projection = value; break;
            case nameof(logit_scale): logit_scale.Dispose(); logit_scale = value; break;
            default: throw new ArgumentException($"No parameter '{name}'", nameof(name));
        }
        ConditionallyRegisterParameter(name, value);
    }

    /// <summary>The checkpoint file the weights came from (null when built from tensors in memory); set by the
    /// loader (<c>ClipSharp.Loading</c>).</summary>
    public string? SourcePath { get; internal set; }

    /// <summary>The SHA-256 of the checkpoint bytes these weights were built from, hashed in the same pass that read
    /// them (null when built from tensors in memory): a cache key that cannot go stale if the file is replaced.
    /// </summary>
    public string? Sha256 { get; internal set; }

    /// <summary>The largest exp(logit_scale) a checkpoint may hold. openai/CLIP clamps it at 100 while training (the
    /// released models sit there); ten times that leaves room for fine-tunes yet refuses a scale that makes every
    /// softmax one-hot or overflows float32.</summary>
    public const double MaxLogitScale = 1000;

    /// <summary>Builds the model the state dict describes, takes its weights (fp16 becomes fp32; nothing is first
    /// initialised at random) and prepares it for inference (<see cref="PrepareForInference"/>). Refuses non-finite
    /// weights and a logit scale above <see cref="MaxLogitScale"/>.</summary>
    public static ClipModel FromStateDict(IReadOnlyDictionary<string, Tensor> stateDict, string source = "state dict",
        ScalarType imageDType = ScalarType.Float32)
    {
        var config = ClipConfig.FromShapes(stateDict.ToDictionary(kv => kv.Key, kv => kv.Value.shape), source);
        var model = new ClipModel(config, ParameterAssignment.Meta);
        try
        {
            StateDictLoader.Load(model, stateDict, source); // also refuses NaN/Inf values
            RequireSaneLogitScale(stateDict[nameof(logit_scale)], source);
            return model.PrepareForInference(imageDType);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    static void RequireSaneLogitScale(Tensor logitScale, string source)
    {
        double value;
        using (var asDouble = logitScale.to_type(float64)) value = asDouble.item<double>();
        if (value > Math.Log(MaxLogitScale))
            throw new StateDictException($"Checkpoint '{source}': 'logit_scale' is {value:G6}, so exp(logit_scale) = " +
                $"{Math.Exp(value):G3} exceeds {MaxLogitScale} (CLIP clamps it at 100)");
    }

    /// <summary>The image tower's compute type: float32, or bfloat16 where the CPU has AMX / AVX-512-BF16 (for
    /// ResNets, the bottleneck stages only: see <see cref="ModifiedResNet.SetComputeType"/>).</summary>
    public ScalarType ImageDType { get; private set; } = ScalarType.Float32;

    /// <summary>Makes the model fast on the CPU without changing its function: batch norms folded into the ResNet's
    /// convolutions, whose weights become channels-last; the image tower computed in <paramref name="imageDType"/>
    /// (the text tower stays float32: it is cheap and must stay exact); glibc kept from returning activation memory
    /// to the kernel after every batch (<see cref="MemoryTuning"/>). From then on <c>state_dict()</c> holds the
    /// folded weights, not the checkpoint's. Idempotent for the same type.</summary>
    public ClipModel PrepareForInference(ScalarType imageDType = ScalarType.Float32)
    {
        if (imageDType is not (ScalarType.Float32 or ScalarType.BFloat16))
            throw new ArgumentException($"The image tower runs in Float32 or BFloat16; got {imageDType}");
        MemoryTuning.Apply();
        var resnet = visual as ModifiedResNet;
        resnet?.FoldBatchNorms();
        if (imageDType != ImageDType)
        {
            if (resnet is not null) resnet.SetComputeType(imageDType); else visual.to(imageDType);
            ImageDType = imageDType;
        }
        return this;
    }

    /// <summary>The ResNet image tower, whose two halves analyses call separately (Grad-CAM); null for a ViT.</summary>
    internal ModifiedResNet? ResNet => visual as ModifiedResNet;

    public int ImageResolution => Config.ImageResolution;
    public int ContextLength => Config.ContextLength;

    /// <summary>Image features [n, D] (not normalised) of preprocessed images [n, 3, R, R].</summary>
    public Tensor EncodeImage(Tensor images)
    {
        int r = ImageResolution;
        if (images.dim() != 4 || images.shape[1] != 3 || images.shape[2] != r || images.shape[3] != r)
            throw new ArgumentException(
                $"EncodeImage expects images [n, 3, {r}, {r}]; got [{string.Join(", ", images.shape)}]");
        using var _ = torch.inference_mode();
        using var scope = torch.NewDisposeScope();
        var input = images.to_type(visual is ModifiedResNet ? float32 : ImageDType);
        return scope.MoveToOuter(visual.call(input).to_type(float32));
    }

    /// <summary>Text features [m, D] (not normalised) of token ids [m, L ≤ context] as <c>ClipTokenizer.Tokenize</c>
    /// makes them.</summary>
    public Tensor EncodeText(Tensor tokens)
    {
        if (tokens.dim() != 2 || tokens.shape[1] > ContextLength || tokens.shape[1] == 0)
            throw new ArgumentException(
                $"EncodeText expects token ids [m, L ≤ {ContextLength}]; got [{string.Join(", ", tokens.shape)}]");
        using var _ = torch.inference_mode();
        using var scope = torch.NewDisposeScope();
        var ids = tokens.to_type(int64);
        if (ids.numel() > 0 && (ids.min().item<long>() < 0 || ids.max().item<long>() >= Config.VocabSize))
            throw new ArgumentException($"EncodeText: token ids must lie in [0, {Config.VocabSize}); " +
                $"got [{ids.min().item<long>()}, {ids.max().item<long>()}]");
        var eot = ids.argmax(-1);  // the end-of-text token has the largest id
        if (ids.shape[0] <= TextGroup) return scope.MoveToOuter(EncodeTextUpTo(ids, eot));
        // Many prompts: encode them in groups of similar length, each only as far as its own longest.
        var order = eot.argsort();
        var features = empty(ids.shape[0], Config.EmbedDim);
        for (int start = 0; start < ids.shape[0]; start += TextGroup)
        {
            var group = order[start..(int)Math.Min(start + TextGroup, ids.shape[0])];
            features.index_copy_(0, group, EncodeTextUpTo(ids.index_select(0, group), eot.index_select(0, group)));
        }
        return scope.MoveToOuter(features);
    }

    const int TextGroup = 32;

    /// <summary>The causal mask keeps positions after a prompt's EOT from touching its pooled feature: the batch is
    /// computed only up to its last EOT, with the same result as all 77 positions.</summary>
    Tensor EncodeTextUpTo(Tensor ids, Tensor eot)
    {
        long length = eot.max().item<long>() + 1;
        var x = token_embedding.call(ids[.., ..(int)length]) + positional_embedding[..(int)length];
        x = ln_final.call(transformer.call(x));
        var pooled = x[torch.arange(x.shape[0]), eot];
        return pooled.matmul(text_projection);
    }

    /// <summary>exp(logit_scale) · cosine similarity, [n images, m texts] and its transpose.</summary>
    public override (Tensor LogitsPerImage, Tensor LogitsPerText) forward(Tensor images, Tensor tokens)
    {
        using var scope = torch.NewDisposeScope();
        var image = EncodeImage(images);
        var text = EncodeText(tokens);
        var logits = Logits(image, text);
        return scope.MoveToOuter(logits, logits.t().contiguous());
    }

    /// <summary>exp(logit_scale) · normalise(image) · normalise(text)ᵀ.</summary>
    public Tensor Logits(Tensor imageFeatures, Tensor textFeatures)
    {
        using var _ = torch.inference_mode();
        using var scope = torch.NewDisposeScope();
        var img = imageFeatures / imageFeatures.norm(1, keepdim: true);
        var txt = textFeatures / textFeatures.norm(1, keepdim: true);
        return scope.MoveToOuter(logit_scale.exp() * img.matmul(txt.t()));
    }

    public double LogitScale => Math.Exp(logit_scale.item<float>());
}
