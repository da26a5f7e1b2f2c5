using ClipSharp.Analyses;
using ClipSharp.Modeling;
using ClipSharp.ZeroShot;
using TorchSharp;
using static TorchSharp.torch;
using ClipSharp.Loading;

namespace ClipSharp.Tests.Analyses;

/// <summary>Grad-CAM on the tiny reference ResNet: autograd's ∂y/∂A agrees with finite differences of an
/// independent float64 logit, the maps are ReLU(Σ α·A) of [G, G], y is the evaluation's logit, and a run leaves
/// nothing behind.</summary>
public class GradCamTests
{
    static readonly string[] Classes = ["no glasses", "glasses"];

    /// <summary>The tiny ResNet, its classifier over <see cref="Classes"/> and the reference input images, disposed
    /// together.</summary>
    sealed record Subject(ClipModel Model, ZeroShotClassifier Classifier, Tensor Images) : IDisposable
    {
        public void Dispose()
        {
            Images.Dispose();
            Classifier.Dispose();
            Model.Dispose();
        }
    }

    static Subject Setup(params string[] templates)
    {
        using var expected = Reference.Expected("tiny-rn");
        var model = ClipModel.Load(Reference.Model("tiny-rn.pt"));
        var classifier = ZeroShotClassifier.Create(model, PromptSet.Create(Classes, templates), Reference.Tokenizer);
        return new(model, classifier, expected.Tensors["input.image"].clone());
    }

    [Fact]
    public void Gradient_agrees_with_finite_differences_of_a_float64_textbook_logit()
    {
        using var subject = Setup("a photo of {}.", "a face with {}");
        var (model, classifier, images) = subject;
        using var gradCam = new GradCam(model, classifier);
        using var trace = gradCam.Trace(images);
        using var reference = new GradCamReference(model, classifier.ClassEmbeddings, classifier.LogitScale);
        int g = gradCam.GridSize;
        const double h = 1e-4;
        int checkedCells = 0;
        for (int image = 0; image < images.shape[0]; image++)
        {
            using var a = trace.Activation[image].to_type(ScalarType.Float64);
            using var y = reference.Logits(a);
            TensorAssert.Close(y, trace.Logits[image], relative: 1e-5,
                what: $"image {image}: float64 vs autograd logits");
            for (int k = 0; k < Classes.Length; k++)
            {
                using var grad = trace.Gradient[image, k];
                // The largest gradients and a few fixed channels, at every cell of the grid.
                using var strongest = grad.abs().amax([1, 2]).argsort(descending: true);
                var channels = strongest[..3].data<long>().ToArray().Concat([0L, 7L, a.shape[0] - 1]).Distinct();
                double scale = grad.abs().max().item<float>();
                foreach (long c in channels)
                {
                    double alphaFromDifferences = 0;
                    for (int i = 0; i < g; i++)
                        for (int j = 0; j < g; j++)
                        {
                            double fd = Difference(reference, a, k, c, i, j, h);
                            double autograd = grad[c, i, j].item<float>();
                            Assert.True(Math.Abs(fd - autograd) <= 2e-3 * Math.Abs(fd) + 1e-4 * scale,
                                $"image {image} class {k} A[{c},{i},{j}]: finite difference {fd:E6}, " +
                                $"autograd {autograd:E6}");
                            alphaFromDifferences += fd / (g * g);
                            checkedCells++;
                        }
                    using var alpha = grad[c].mean();
                    Assert.Equal(alphaFromDifferences, alpha.item<float>(),
                        2e-3 * Math.Abs(alphaFromDifferences) + 1e-4 * scale);
                }
            }
        }
        Assert.True(checkedCells >= 4 * 2 * 4 * g * g, $"only {checkedCells} cells checked");
    }

    /// <summary>(y_k(A + h·e) − y_k(A − h·e)) / 2h for the unit e at channel c, cell (i, j), in float64.
    /// </summary>
    static double Difference(GradCamReference reference, Tensor a, int k, long c, int i, int j, double h)
    {
        using var plus = a.clone();
        using var minus = a.clone();
        plus[c, i, j] = plus[c, i, j] + h;
        minus[c, i, j] = minus[c, i, j] - h;
        using var up = reference.Logits(plus);
        using var down = reference.Logits(minus);
        return (up[k].item<double>() - down[k].item<double>()) / (2 * h);
    }

    [Fact]
    public void Maps_are_G_by_G_per_class_and_equal_ReLU_of_the_alpha_weighted_activation()
    {
        using var subject = Setup();
        var (model, classifier, images) = subject;
        using var gradCam = new GradCam(model, classifier);
        Assert.Equal(model.ImageResolution / 32, gradCam.GridSize);
        using var trace = gradCam.Trace(images);
        using var maps = gradCam.Maps(images);
        int n = (int)images.shape[0], g = gradCam.GridSize;
        long c = trace.Activation.shape[1];
        Assert.Equal(new long[] { n, Classes.Length, g, g }, maps.shape);
        Assert.Equal(ScalarType.Float32, maps.dtype);
        Assert.Equal(new long[] { n, c, g, g }, trace.Activation.shape);
        Assert.Equal(new long[] { n, Classes.Length, c, g, g }, trace.Gradient.shape);

        // Σ_c α_c·A_c one image, class and cell at a time, in float64 loops over plain arrays.
        var a = trace.Activation.to_type(ScalarType.Float64).data<double>().ToArray();
        var grad = trace.Gradient.to_type(ScalarType.Float64).data<double>().ToArray();
        var got = maps.data<float>().ToArray();
        int cells = g * g, positives = 0;
        for (int image = 0; image < n; image++)
            for (int k = 0; k < Classes.Length; k++)
                for (int cell = 0; cell < cells; cell++)
                {
                    double sum = 0;
                    for (int ch = 0; ch < c; ch++)
                    {
                        long gradBase = ((long)(image * Classes.Length + k) * c + ch) * cells;
                        double alpha = Enumerable.Range(0, cells).Sum(q => grad[gradBase + q]) / cells;
                        sum += alpha * a[((long)image * c + ch) * cells + cell];
                    }
                    double expected = Math.Max(sum, 0);
                    if (expected > 0) positives++;
                    float actual = got[(image * Classes.Length + k) * cells + cell];
                    Assert.Equal(expected, actual, 1e-5 * Math.Max(1, Math.Abs(expected)));
                }
        Assert.True(positives > 0, "every map is zero: the test would not see a wrong weighting");
    }

    [Fact]
    public void The_differentiated_logit_is_the_one_the_zero_shot_evaluation_uses()
    {
        using var subject = Setup("a photo of {}.", "{}");
        var (model, classifier, images) = subject;
        using var gradCam = new GradCam(model, classifier);
        using var trace = gradCam.Trace(images);
        using var features = model.EncodeImage(images);
        var similarity = classifier.Similarity(features, ["a", "b", "c", "d"]);
        for (int i = 0; i < images.shape[0]; i++)
            for (int k = 0; k < Classes.Length; k++)
            {
                float logit = (float)(similarity.LogitScale * similarity.Cosine[i, k]); // what Probabilities softmaxes
                Assert.Equal(logit, trace.Logits[i, k].item<float>(), 1e-4 * Math.Max(1, Math.Abs(logit)));
            }
    }

    [Fact]
    public void A_saliency_run_changes_no_inference_result_and_leaves_no_tensor_behind()
    {
        using var subject = Setup();
        var (model, classifier, images) = subject;
        using var before = model.EncodeImage(images);
        var parametersBefore = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.clone());
        void Run()
        {
            using var gradCam = new GradCam(model, classifier);
            using var maps = gradCam.Maps(images);
        }
        Run();
        long live = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (int i = 0; i < 20; i++) Run();
        Assert.Equal(live, DisposeScopeManager.Statistics.ThreadTotalLiveCount);

        using var after = model.EncodeImage(images);
        TensorAssert.Identical(before, after, "image features after saliency");
        Assert.All(model.named_parameters(), p =>
        {
            Assert.False(p.parameter.requires_grad, $"{p.name} requires grad");
            Assert.Null(p.parameter.grad);
            TensorAssert.Identical(parametersBefore[p.name], p.parameter, p.name);
        });
        Assert.True(torch.is_grad_enabled(), "grad mode left off");
        foreach (var t in parametersBefore.Values) t.Dispose();
    }

    [Fact]
    public void RN50_shapes_give_7_by_7_maps_of_its_2048_channel_last_stage()
    {
        manual_seed(14);
        using var model = new ClipModel(ClipConfig.RN50).PrepareForInference(); // random weights: shapes only
        using var classifier = ZeroShotClassifier.Create(model, PromptSet.Create(Classes), Reference.Tokenizer);
        using var gradCam = new GradCam(model, classifier);
        Assert.Equal(7, gradCam.GridSize);
        using var images = randn(1, 3, 224, 224);
        using var trace = gradCam.Trace(images);
        Assert.Equal(new long[] { 1, 2048, 7, 7 }, trace.Activation.shape);
        using var maps = gradCam.Maps(images);
        Assert.Equal(new long[] { 1, 2, 7, 7 }, maps.shape);
        using var fromTrace = trace.Maps();
        TensorAssert.Close(fromTrace, maps, relative: 1e-5, what: "RN50 maps");
    }

    [Fact]
    public void A_vision_transformer_is_refused_with_a_message_naming_the_model()
    {
        using var model = ClipModel.Load(Reference.Model("tiny-vit.pt"));
        using var classifier = ZeroShotClassifier.Create(model, PromptSet.Create(Classes), Reference.Tokenizer);
        var e = Assert.Throws<GradCamException>(() => new GradCam(model, classifier));
        Assert.IsAssignableFrom<ClipSharpException>(e);
        Assert.Contains(Reference.Model("tiny-vit.pt"), e.Message);
        Assert.Contains("Vision Transformer", e.Message);
    }

    [Fact]
    public void Images_of_the_wrong_size_are_refused()
    {
        using var subject = Setup();
        var (model, classifier, images) = subject;
        using var gradCam = new GradCam(model, classifier);
        using var wrong = zeros(1, 3, 32, 32);
        var e = Assert.Throws<GradCamException>(() => gradCam.Maps(wrong));
        Assert.Contains("[1, 3, 32, 32]", e.Message);
    }
}
