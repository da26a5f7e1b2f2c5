using ClipSharp.Modeling;
using ClipSharp.ZeroShot;
using TorchSharp;
using static TorchSharp.torch;

namespace ClipSharp.Analyses;

/// <summary>
/// Grad-CAM (Selvaraju et al., 2017) for CLIP's ResNet image towers: where in the image the evidence for a zero-shot
/// class lies. A is the output of <c>visual.layer4</c> [C, G, G] (G = resolution/32), the attention pool's input;
/// y_k is the image's logit for class k, exp(logit_scale) · cos(image features, class k's ensembled text embedding),
/// exactly the number the zero-shot evaluation compares; α_c is the grid mean of ∂y_k/∂A_c; the map is
/// ReLU(Σ_c α_c·A_c), [G, G], not normalised.
/// </summary>
/// <remarks>The attention pool and the gradient run in float32 with autograd on a detached copy of A; the model's
/// parameters keep <c>requires_grad = false</c>, so nothing is left on the model. On a model prepared for bf16 the
/// bottleneck stages (hence A) compute in bf16; load it in float32 for exact maps (the CLI does).</remarks>
public sealed class GradCam : IDisposable
{
    readonly ClipModel model;
    readonly ModifiedResNet tower;
    readonly Tensor classEmbeddings; // [K, D] unit rows, a normal (not inference-mode) tensor autograd may save
    readonly double logitScale;

    public GradCam(ClipModel model, ZeroShotClassifier classifier)
    {
        tower = RequireResNet(model);
        if (classifier.ClassEmbeddings.shape[1] != model.Config.EmbedDim)
            throw new ArgumentException(
                $"The classifier's embeddings are {classifier.ClassEmbeddings.shape[1]} wide; " +
                $"the model's are {model.Config.EmbedDim}: make the classifier with the same model");
        this.model = model;
        Classes = classifier.Prompts.Classes;
        logitScale = classifier.LogitScale;
        using var scope = NewDisposeScope();
        using (no_grad())
            classEmbeddings = scope.MoveToOuter(classifier.ClassEmbeddings.to_type(ScalarType.Float32).clone());
    }

    /// <summary>The ResNet tower of <paramref name="model"/>, or a clear error naming the model when it is a ViT
    /// (its image tower has no convolutional feature map to weigh).</summary>
    public static ModifiedResNet RequireResNet(ClipModel model) => model.ResNet ?? throw new GradCamException(
        $"Model '{model.SourcePath ?? "in memory"}' has a Vision Transformer image tower; " +
        "Grad-CAM here needs a ResNet " +
        "model's last convolutional stage (RN50, RN101, RN50x4, RN50x16, RN50x64)");

    public IReadOnlyList<string> Classes { get; }

    /// <summary>G: the maps' side, resolution / 32 (7 for RN50).</summary>
    public int GridSize => model.ImageResolution / 32;

    /// <summary>Grad-CAM maps [n, K, G, G] of preprocessed images [n, 3, R, R].</summary>
    public Tensor Maps(Tensor images)
    {
        using var trace = Trace(images);
        return trace.Maps();
    }

    /// <summary>A, ∂y/∂A and y for preprocessed images [n, 3, R, R]. Images are independent (eval-mode network), so the
    /// gradient of Σ_i y_ik is each image's own ∂y_ik/∂A_i: one backward pass per class serves the whole
    /// batch.</summary>
    public GradCamTrace Trace(Tensor images)
    {
        int r = model.ImageResolution;
        if (images.dim() != 4 || images.shape[1] != 3 || images.shape[2] != r || images.shape[3] != r)
            throw new GradCamException(
                $"Grad-CAM expects preprocessed images [n, 3, {r}, {r}]; got [{string.Join(", ", images.shape)}]");
        using var scope = NewDisposeScope();
        Tensor activation;
        using (no_grad()) activation = tower.Stages(images.to_type(ScalarType.Float32));
        using var gradients = enable_grad();
        var a = activation.detach().requires_grad_(true);
        var features = tower.Pool(a);
        var logits = logitScale * (features / features.norm(1, keepdim: true)).matmul(classEmbeddings.t()); // [n, K]
        int k = (int)classEmbeddings.shape[0];
        var perClass = new Tensor[k];
        for (int c = 0; c < k; c++)
            perClass[c] = torch.autograd.grad([logits[.., c].sum()], [a], retain_graph: c < k - 1)[0];
        var gradient = stack(perClass, 1);                                           // [n, K, C, G, G]
        return new GradCamTrace(scope.MoveToOuter(a.detach().contiguous()), scope.MoveToOuter(gradient.contiguous()),
            scope.MoveToOuter(logits.detach()));
    }

    public void Dispose() => classEmbeddings.Dispose();
}
