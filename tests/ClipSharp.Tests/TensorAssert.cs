using static TorchSharp.torch;

namespace ClipSharp.Tests;

public static class TensorAssert
{
    /// <summary>‖actual − expected‖ / ‖expected‖ below <paramref name="relative"/>, shapes equal.</summary>
    public static void Close(Tensor expected, Tensor actual, double relative = 1e-4, string what = "tensor")
    {
        Assert.Equal(expected.shape, actual.shape);
        using var e = expected.to_type(ScalarType.Float64);
        using var a = actual.to_type(ScalarType.Float64);
        using var diff = (a - e).norm();
        using var norm = e.norm();
        double error = diff.item<double>() / Math.Max(norm.item<double>(), 1e-30);
        Assert.True(error < relative, $"{what}: relative error {error:E3} ≥ {relative:E0}");
    }

    public static void Identical(Tensor expected, Tensor actual, string what = "tensor")
    {
        Assert.Equal(expected.shape, actual.shape);
        Assert.Equal(expected.dtype, actual.dtype);
        using var e = expected.contiguous();  // folded convolution weights are channels-last
        using var a = actual.contiguous();
        Assert.True(e.bytes.SequenceEqual(a.bytes), $"{what}: bytes differ");
    }
}
