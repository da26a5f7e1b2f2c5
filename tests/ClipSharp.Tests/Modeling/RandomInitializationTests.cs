using ClipSharp.Modeling;
using static TorchSharp.torch;

namespace ClipSharp.Tests.Modeling;

/// <summary>A model built from a config alone (the bench, shape tests) starts from initialised weights, never from
/// whatever memory held: uninitialised attention weights once made random-weight runs NaN at random.</summary>
public class RandomInitializationTests
{
    [Fact]
    public void Every_parameter_of_a_freshly_built_RN50_is_finite_and_the_attention_weights_are_xavier_bounded()
    {
        using var model = new ClipModel(ClipConfig.RN50);
        foreach (var (name, p) in model.named_parameters())
            Assert.True(p.isfinite().all().item<bool>(), $"{name} holds NaN/Inf straight after construction");
        var inProj = model.named_parameters().Where(p => p.name.EndsWith("attn.in_proj_weight")).ToList();
        Assert.NotEmpty(inProj);
        foreach (var (name, p) in inProj)
        {
            double bound = Math.Sqrt(6.0 / (p.shape[0] + p.shape[1])); // Xavier uniform
            Assert.True(p.abs().max().item<float>() <= bound + 1e-6, $"{name} exceeds the Xavier bound {bound}");
            Assert.True(p.abs().max().item<float>() > bound / 2, $"{name} looks uninitialised (all near zero)");
        }
    }
}
