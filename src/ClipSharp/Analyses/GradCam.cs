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
        $"Model '{model.SourcePath ?? "in memory"}' has a Vision Transformer image tower; Grad-CAM here needs " +
        "a ResNet model's last convolutional stage (RN50, RN101, RN50x4, RN50x16, RN50x64)");

    public IReadOnlyList<string> Classes { get; }

    /// <summary>G: the maps' side, resolution / 32 (7 for RN50).</summary>
    public int GridSize => model.ImageResolution / 32;

    /// <summary>Grad-CAM maps [n, K, G, G] of preprocessed images [n, 3, R, R]. Each class's gradient is reduced to
    /// its map as soon as it exists, so memory stays at one gradient whatever the number of classes.</summary>
    public Tensor Maps(Tensor images)
    {
        using var scope = NewDisposeScope();
        var maps = new List<Tensor>();
        Differentiate(images, (activation, gradient) =>
        {
            using (var one = gradient.unsqueeze(1)) maps.Add(Weigh(activation, one));
            gradient.Dispose(); // freed now, not when the scope ends
        });
        return scope.MoveToOuter(cat(maps, 1));
    }

    /// <summary>A, ∂y/∂A for every class and y, for preprocessed images [n, 3, R, R] (K times A's size: for
    /// inspection and tests; <see cref="Maps"/> keeps less).</summary>
    public GradCamTrace Trace(Tensor images)
    {
        using var scope = NewDisposeScope();
        var perClass = new List<Tensor>();
        Tensor? activation = null;
        var logits = Differentiate(images, (a, gradient) =>
        {
            activation = a;
            perClass.Add(gradient);
        });
        return new GradCamTrace(scope.MoveToOuter(activation!.contiguous()), scope.MoveToOuter(stack(perClass, 1)),
            scope.MoveToOuter(logits));
    }

    /// <summary>ReLU(Σ_c α_c·A_c) with α the grid mean of the gradient:
    /// A [n, C, G, G], ∂y/∂A [n, K, C, G, G] → [n, K, G, G].</summary>
    internal static Tensor Weigh(Tensor activation, Tensor gradient)
    {
        using var scope = NewDisposeScope();
        var alpha = gradient.mean([-2, -1]);                                   // [n, K, C]
        var weighted = einsum("nkc,nchw->nkhw", alpha, activation);            // Σ_c α_c·A_c
        return scope.MoveToOuter(nn.functional.relu(weighted).contiguous());
    }

    /// <summary>Runs the stages without autograd, then the attention pool and the logits with autograd on a detached
    /// A, and hands each class's ∂y_k/∂A [n, C, G, G] (with A) to <paramref name="perClass"/>, in class order.
    /// Returns the logits [n, K]. Images are independent (eval-mode network), so the gradient of Σ_i y_ik is each
    /// image's own ∂y_ik/∂A_i: one backward pass per class serves the whole batch. Tensors live in the caller's
    /// dispose scope.</summary>
    Tensor Differentiate(Tensor images, Action<Tensor, Tensor> perClass)
    {
        int r = model.ImageResolution;
        if (images.dim() != 4 || images.shape[1] != 3 || images.shape[2] != r || images.shape[3] != r)
            throw new GradCamException(
                $"Grad-CAM expects preprocessed images [n, 3, {r}, {r}]; got [{string.Join(", ", images.shape)}]");
        Tensor activation;
        using (no_grad()) activation = tower.Stages(images.to_type(ScalarType.Float32));
        using var gradients = enable_grad();
        var a = activation.detach().requires_grad_(true);
        var features = tower.Pool(a);
        var logits = logitScale * (features / features.norm(1, keepdim: true)).matmul(classEmbeddings.t()); // [n, K]
        var constant = a.detach();
        int k = (int)classEmbeddings.shape[0];
        for (int c = 0; c < k; c++)
            perClass(constant, torch.autograd.grad([logits[.., c].sum()], [a], retain_graph: c < k - 1)[0]);
        return logits.detach();
    }

    public void Dispose() => classEmbeddings.Dispose();
}
