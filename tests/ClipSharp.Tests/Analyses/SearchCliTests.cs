using ClipSharp.Checkpoints;
using ClipSharp.Tests.Cli;
using static TorchSharp.torch;

namespace ClipSharp.Tests.Analyses;

/// <summary><c>clip search</c> ranks images by the cosines that <c>clip embed</c>'s features give.</summary>
public class SearchCliTests : IDisposable
{
    readonly AnalysisCli cli = new();
    public void Dispose() => cli.Dispose();

    static string[] Images =>
        [.. Directory.GetFiles(Reference.Images).Where(f => !f.EndsWith(".csv")).Order(StringComparer.Ordinal)];

    /// <summary>Cosine of each image's embed features to the query row (text or image) of the same file.</summary>
    float[] EmbedCosines(string[] extra, Func<Checkpoint, Tensor> query)
    {
        string output = Path.Combine(cli.Directory, "embed.safetensors");
        var run = CliRunner.Run(["embed", "--model", Reference.Model("tiny-rn.pt"), "--vocab", Reference.Vocab,
            "--output", output,
            .. Images.SelectMany(i => new[] { "--image", i }), .. extra]);
        Assert.True(run.ExitCode == 0, run.Error);
        using var embedded = SafeTensors.Read(output);
        var images = embedded.Tensors["image_features"];
        using var q = query(embedded);
        using var cosines = nn.functional.normalize(images, dim: 1).matmul(nn.functional.normalize(q, dim: 0));
        return cosines.data<float>().ToArray();
    }

    void AssertRanking(float[] cosines, System.Text.Json.Nodes.JsonArray results, int top)
    {
        Assert.Equal(top, results.Count);
        var expected = Enumerable.Range(0, cosines.Length).OrderByDescending(i => cosines[i]).Take(top).ToList();
        for (int r = 0; r < top; r++)
        {
            string file = (string)results[r]!["file"]!;
            int i = Array.IndexOf(Images, file);
            Assert.True(i >= 0, file);
            Assert.Equal(cosines[i], (double)results[r]!["cosine"]!, 1e-5);
            Assert.Equal(cosines[expected[r]], cosines[i], 1e-5); // same rank, or a tie within rounding
            if (r > 0) Assert.True((double)results[r - 1]!["cosine"]! >= (double)results[r]!["cosine"]!);
        }
    }

    [Fact]
    public void Text_query_ranks_images_by_cosine_to_the_embedded_text()
    {
        var cosines = EmbedCosines(["--text", "a photo of a cat"], e => e.Tensors["text_features"][0].clone());
        var json = cli.Json("search", "--data", Reference.Images, "--text", "a photo of a cat", "--top", "7");
        Assert.Equal(Images.Length, (int)json["images"]!);
        AssertRanking(cosines, json["results"]!.AsArray(), 7);
    }

    [Fact]
    public void Image_query_ranks_images_by_cosine_to_the_embedded_image_and_finds_itself_first()
    {
        string cat = Path.Combine(Reference.Images, "cat.jpg");
        int index = Array.IndexOf(Images, cat);
        var cosines = EmbedCosines([], e => e.Tensors["image_features"][index].clone());
        var json = cli.Json("search", "--data", Reference.Images, "--image", cat, "--top", "5");
        AssertRanking(cosines, json["results"]!.AsArray(), 5);
        Assert.Equal(cat, (string)json["results"]![0]!["file"]!);
    }

    [Fact]
    public void Files_and_folders_can_be_mixed_and_a_missing_one_is_named()
    {
        string face = Path.Combine(Reference.Images, "face-127.png"), cat = Path.Combine(Reference.Images, "cat.jpg");
        var json = cli.Json("search", "--data", face, "--data", cat, "--text", "glasses", "--top", "10");
        Assert.Equal(2, json["results"]!.AsArray().Count);

        string missing = Path.Combine(cli.Directory, "nope.png");
        var result = cli.Run("search", "--data", missing, "--text", "glasses");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"error: Image or folder '{missing}' not found", result.Error);
    }

    [Fact]
    public void With_labels_search_covers_the_labelled_images_and_names_each_hit_class()
    {
        var labels = File.ReadLines(Path.Combine(Reference.Images, "labels.csv")).Skip(1).Select(l => l.Split(','))
            .ToDictionary(f => Path.Combine(Reference.Images, f[0]), f => f[1] == "1" ? "with" : "without");
        var json = cli.Json("search", "--data", Reference.Images,
            "--labels", Path.Combine(Reference.Images, "labels.csv"),
            "--class", "without", "--class", "with", "--text", "glasses", "--top", "30");
        Assert.Equal(labels.Count, (int)json["images"]!);
        var results = json["results"]!.AsArray();
        Assert.Equal(labels.Count, results.Count);
        Assert.All(results, r => Assert.Equal(labels[(string)r!["file"]!], (string)r["label"]!));
    }

    [Fact]
    public void A_query_must_be_a_text_or_an_image()
    {
        var neither = cli.Run("search", "--data", Reference.Images);
        Assert.Equal(1, neither.ExitCode);
        Assert.Contains("error: Give the query as --text or as --image", neither.Error);
    }
}
