using ClipSharp.Checkpoints;

namespace ClipSharp.Tests.Cli;

/// <summary>Images are given the same way on every verb: files, folders (every image under them) and glob patterns
/// that the shell did not expand.</summary>
public class ImageArgumentTests : TempFolderTest
{
    string Folder()
    {
        string images = Directory.CreateDirectory(Path.Combine(Dir, "images", "sub")).Parent!.FullName;
        File.Copy(Path.Combine(Reference.Images, "cat.jpg"), Path.Combine(images, "cat.jpg"));
        File.Copy(Path.Combine(Reference.Images, "CLIP.png"), Path.Combine(images, "sub", "CLIP.png"));
        File.Copy(Path.Combine(Reference.Images, "face-127.png"), Path.Combine(images, "face-127.png"));
        File.WriteAllText(Path.Combine(images, "labels.csv"), "file,label\n");
        return images;
    }

    string[] Preprocessed(params string[] images)
    {
        string output = Path.Combine(Dir, $"{Guid.NewGuid():N}.safetensors");
        var run = CliRunner.Run(["preprocess", .. images, "--size", "32", "-o", output]);
        Assert.True(run.ExitCode == 0, run.Error);
        using var written = SafeTensors.Read(output);
        return [.. written.Tensors.Keys.Order(StringComparer.Ordinal)];
    }

    [Fact]
    public void A_folder_gives_every_image_under_it()
    {
        Assert.Equal(["CLIP.png", "cat.jpg", "face-127.png"], Preprocessed(Folder()));
    }

    [Fact]
    public void A_glob_gives_the_images_it_matches()
    {
        string images = Folder();
        Assert.Equal(["face-127.png"], Preprocessed(Path.Combine(images, "f*.png")));
        Assert.Equal(["cat.jpg", "face-127.png"], Preprocessed(Path.Combine(images, "*.*"))); // not labels.csv
        Assert.Equal(["CLIP.png", "cat.jpg", "face-127.png"], Preprocessed(Path.Combine(images, "*"))); // sub/ too
        Assert.Equal(["CLIP.png", "face-127.png"], Preprocessed(Path.Combine(images, "**", "*.png")));
        Assert.Equal(["cat.jpg"], Preprocessed(Path.Combine(images, "c?t.[jJ]pg")));
    }

    [Fact]
    public void A_glob_matching_nothing_is_one_line_naming_it()
    {
        string pattern = Path.Combine(Folder(), "*.webp");
        var run = CliRunner.Run("preprocess", pattern, "-o", Path.Combine(Dir, "x.safetensors"));
        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"error: No image or folder matches '{pattern}'", run.Error.Trim());
    }

    [Fact]
    public void Embed_takes_images_as_arguments_and_still_as_image_options()
    {
        string images = Folder();
        string a = Path.Combine(Dir, "a.safetensors"), b = Path.Combine(Dir, "b.safetensors");
        string[] common = ["embed", "-m", Reference.Model("tiny-rn.pt"), "--vocab", Reference.Vocab];
        Assert.Equal(0, CliRunner.Run([.. common, Path.Combine(images, "*.*"), "-o", a]).ExitCode);
        Assert.Equal(0, CliRunner.Run([.. common, "--image", Path.Combine(images, "cat.jpg"),
            "--image", Path.Combine(images, "face-127.png"), "-o", b]).ExitCode);
        using var first = SafeTensors.Read(a);
        using var second = SafeTensors.Read(b);
        Assert.Equal(second.Metadata["images"], first.Metadata["images"]);
        TensorAssert.Identical(second.Tensors["image_features"], first.Tensors["image_features"], "image_features");
    }
}
