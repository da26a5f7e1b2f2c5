using ClipSharp.Imaging;
using ClipSharp.Loading;
using ClipSharp.Modeling;
using ClipSharp.ZeroShot;

namespace ClipSharp.Tests.ZeroShot;

/// <summary>The one image pipeline: the same features whichever error policy is chosen, and a bad file either
/// stops the work (naming it) or is skipped and listed.</summary>
public sealed class ImageEncoderTests : TempFolderTest
{
    /// <summary>Reference images with a broken file second: an unreadable image amid good ones.</summary>
    internal static string[] WithABrokenFile(string folder, params string[] more)
    {
        string bad = Path.Combine(folder, "broken.png");
        File.WriteAllText(bad, "not an image");
        return [Path.Combine(Reference.Images, "cat.jpg"), bad, Path.Combine(Reference.Images, "CLIP.png"),
            .. more.Select(name => Path.Combine(Reference.Images, name))];
    }

    string[] Paths() => WithABrokenFile(Dir);

    [Fact]
    public void Throw_names_the_unreadable_image()
    {
        using var model = ClipModel.Load(Reference.Model("tiny-rn.safetensors"));
        var paths = Paths();
        var e = Assert.Throws<ImageException>(() => new ImageEncoder(model, batchSize: 2).Features(paths));
        Assert.Contains("broken.png", e.Message);
    }

    [Fact]
    public void Collect_skips_the_unreadable_image_and_keeps_the_others_features()
    {
        using var model = ClipModel.Load(Reference.Model("tiny-rn.safetensors"));
        var paths = Paths();
        var encoder = new ImageEncoder(model, batchSize: 2) { Errors = ImageErrorPolicy.Collect };
        using var encoded = encoder.Encode(paths);
        Assert.Equal([0, 2], encoded.Indices);
        var failure = Assert.Single(encoded.Failures);
        Assert.Equal((1, paths[1]), (failure.Index, failure.Path));
        using var alone = new ImageEncoder(model).Features([paths[0], paths[2]]);
        Assert.True(alone.allclose(encoded.Features, rtol: 1e-3, atol: 1e-3));
        Assert.Equal(2, encoder.EncodedImages);
    }
}
