using ClipSharp.Imaging;
using ClipSharp.Loading;
using ClipSharp.Modeling;
using ClipSharp.ZeroShot;

namespace ClipSharp.Tests.ZeroShot;

/// <summary>Decoding between encodings (<see cref="ImageEncoder.DecodeThreads"/> = 0) gives the features and
/// failures of decoding beside the encoder.</summary>
public sealed class ImageEncoderInTurnTests : TempFolderTest
{
    string[] Paths() => ImageEncoderTests.WithABrokenFile(Dir, "face-127.png");

    [Fact]
    public void In_turn_and_overlapped_give_the_same_features_and_failures()
    {
        using var model = ClipModel.Load(Reference.Model("tiny-rn.safetensors"));
        var paths = Paths();
        using var overlapped = new ImageEncoder(model, batchSize: 2)
            { DecodeThreads = 1, Errors = ImageErrorPolicy.Collect }.Encode(paths);
        var progress = new List<int>();
        using var inTurn = new ImageEncoder(model, batchSize: 2)
            { DecodeThreads = 0, Errors = ImageErrorPolicy.Collect }.Encode(paths, progress.Add);
        Assert.Equal(overlapped.Indices, inTurn.Indices);
        Assert.Equal(overlapped.Failures, inTurn.Failures);
        Assert.True(overlapped.Features.equal(inTurn.Features).all().item<bool>());
        Assert.Equal([2, 4], progress);
    }

    [Fact]
    public void In_turn_throw_names_the_unreadable_image()
    {
        using var model = ClipModel.Load(Reference.Model("tiny-rn.safetensors"));
        var encoder = new ImageEncoder(model, batchSize: 2) { DecodeThreads = 0 };
        var e = Assert.Throws<ImageException>(() => encoder.Features(Paths()));
        Assert.Contains("broken.png", e.Message);
    }
}
