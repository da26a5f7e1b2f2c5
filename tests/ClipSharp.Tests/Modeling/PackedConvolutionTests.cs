using System.Runtime.InteropServices;
using ClipSharp.Modeling;
using static TorchSharp.torch;

namespace ClipSharp.Tests.Modeling;

/// <summary>Weights packed once in oneDNN's layout, with ReLU and the residual sum fused, give the features of the
/// plain convolutions, for any batch and resolution, and survive many calls.</summary>
[Collection(nameof(PackedConvolutionTests))] // toggles PackedConvolution.Enabled
public class PackedConvolutionTests
{
    static (ClipModel Packed, ClipModel Plain) Pair(ScalarType dtype)
    {
        manual_seed(7);
        var packed = new ClipModel(ClipConfig.RN50);
        // The twin takes these weights, not a second draw from the global generator, which tests running in
        // parallel draw from too (two seeded draws could differ).
        var plain = ClipModel.FromStateDict(packed.state_dict(), "random RN50", dtype);
        return (packed.PrepareForInference(dtype), plain);
    }

    static Tensor Encode(ClipModel model, Tensor images, bool packed)
    {
        PackedConvolution.Enabled = packed; // read when a model first sees an input size
        try { return model.EncodeImage(images); }
        finally { PackedConvolution.Enabled = true; }
    }

    [Theory]
    [InlineData(ScalarType.Float32, 1e-5)]
    [InlineData(ScalarType.BFloat16, 2e-2)]
    public void Packed_and_fused_convolutions_give_the_plain_features(ScalarType dtype, double relative)
    {
        var (packed, plain) = Pair(dtype);
        using (packed)
        using (plain)
            foreach (int batch in new[] { 1, 3, 1 }) // a new batch size reuses the packing; back to 1 as well
            {
                manual_seed(batch);
                using var images = randn(batch, 3, 224, 224);
                using var a = Encode(plain, images, packed: false);
                using var b = Encode(packed, images, packed: true);
                TensorAssert.Close(a, b, relative, what: $"packed vs plain features, {dtype}, batch {batch}");
                using var cosine = nn.functional.cosine_similarity(a, b, 1).min();
                Assert.True(cosine.item<float>() > 0.9999f, $"cosine {cosine.item<float>()} at batch {batch}");
            }
    }

    [Fact]
    public void The_input_is_left_untouched_and_repeated_calls_agree()
    {
        manual_seed(3);
        using var model = new ClipModel(ClipConfig.RN50).PrepareForInference();
        using var images = randn(2, 3, 224, 224);
        using var copy = images.clone();
        using var first = model.EncodeImage(images);
        for (int i = 0; i < 3; i++)
        {
            using var again = model.EncodeImage(images);
            TensorAssert.Identical(first, again, "repeated call");
        }
        TensorAssert.Identical(copy, images, "the caller's images");
    }

    [SkippableFact]
    public void On_x64_linux_the_convolutions_are_packed_not_silently_left_plain()
    {
        Skip.IfNot(OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64,
            "the fused oneDNN convolution is checked on x64 Linux, where CI runs");
        manual_seed(5);
        using var model = new ClipModel(ClipConfig.RN50).PrepareForInference();
        using var images = randn(1, 3, 224, 224);
        using var _ = model.EncodeImage(images);
        Assert.True(model.ResNet!.Packed, "libtorch's mkldnn convolution shim was not found: plain convolutions ran");
    }

    [DllImport("libc", EntryPoint = "getenv")]
    static extern IntPtr GetEnv(string name);

    [SkippableFact]
    public void libtorch_threads_spin_briefly_unless_the_user_chose()
    {
        Skip.IfNot(OperatingSystem.IsLinux());
        Skip.If(Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is not null
            || Environment.GetEnvironmentVariable("GOMP_SPINCOUNT") is not null, "the user set a wait policy");
        using var touch = zeros(1); // loads ClipSharp's initializer and libtorch in this order
        _ = new ClipConfig[] { ClipConfig.RN50 };
        Assert.Equal(ThreadTuning.SpinCount, Marshal.PtrToStringAnsi(GetEnv("GOMP_SPINCOUNT")));
    }
}
