using ClipSharp.Modeling;
using static TorchSharp.torch;

namespace ClipSharp.Tests.Modeling;

/// <summary>A single image's attention pool runs its products in two halves on two threads: the same features as
/// the whole products give for that image inside a batch.</summary>
public class SplitProductTests
{
    [SkippableFact]
    public void One_images_split_pool_gives_its_features_in_a_batch()
    {
        Skip.If(Environment.ProcessorCount == 1 || get_num_threads() == 1, "one core: nothing is split");
        manual_seed(11);
        using var model = new ClipModel(ClipConfig.RN50).PrepareForInference();
        using var _ = inference_mode();
        Assert.True(SplitProduct.Applies, "inference mode on two cores must split");
        using var features = randn(2, 2048, 7, 7);
        using var alone = model.ResNet!.Pool(features[..1]);  // batch 1: split
        using var inBatch = model.ResNet!.Pool(features);     // batch 2: whole products
        TensorAssert.Close(inBatch[..1], alone, 1e-5, what: "split vs whole attention pool");
    }

    [Fact]
    public void Halves_join_in_order_along_the_given_dimension()
    {
        using var _ = inference_mode();
        using var x = arange(10).view(2, 5);
        using var joined = SplitProduct.Halves(5, (from, to) => x.narrow(1, from, to - from).clone(), dim: 1);
        TensorAssert.Identical(x, joined, "halves joined");
    }

    [Fact]
    public void Autograd_keeps_the_whole_products()
    {
        using var grad = enable_grad();
        Assert.False(SplitProduct.Applies); // the halves would run where the caller's graph cannot see them
    }
}
