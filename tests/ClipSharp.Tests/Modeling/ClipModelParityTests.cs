using ClipSharp.Modeling;
using ClipSharp.Loading;

namespace ClipSharp.Tests.Modeling;

public class ClipModelParityTests
{
    public static TheoryData<string> Checkpoints => new()
    {
        "tiny-rn.pt", "tiny-rn.state_dict.pt", "tiny-rn.safetensors", "tiny-vit.pt", "tiny-vit.safetensors",
    };

    [Theory]
    [MemberData(nameof(Checkpoints))]
    public void Loaded_checkpoint_reproduces_the_official_features_and_logits(string file)
    {
        string name = file[..file.IndexOf('.')];
        using var expected = Reference.Expected(name);
        using var model = ClipModel.Load(Reference.Model(file));
        var t = expected.Tensors;

        using var image = model.EncodeImage(t["input.image"]);
        using var text = model.EncodeText(t["input.text"]);
        using var logits = model.Logits(image, text);

        TensorAssert.Close(t["image_features"], image, what: $"{file} image_features");
        TensorAssert.Close(t["text_features"], text, what: $"{file} text_features");
        TensorAssert.Close(t["logits_per_image"], logits, what: $"{file} logits_per_image");
    }
}
