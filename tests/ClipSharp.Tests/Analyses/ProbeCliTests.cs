using System.Text.Json.Nodes;

namespace ClipSharp.Tests.Analyses;

/// <summary><c>clip probe</c> on the tiny model and the reference images: JSON shape, the first-K split, the zero-shot
/// comparison on the same test images, learning curves and clear errors.</summary>
public class ProbeCliTests : IDisposable
{
    readonly AnalysisCli cli = new();
    public void Dispose() => cli.Dispose();

    static List<(string File, int Label)> Labels() =>
        [.. File.ReadLines(Path.Combine(Reference.Images, "labels.csv")).Skip(1).Select(l => l.Split(','))
            .Select(f => (f[0], int.Parse(f[1])))];

    [Fact]
    public void Json_reports_the_first_K_split_and_a_prediction_for_each_test_image()
    {
        var json = cli.Json("probe", "--data", Reference.Images, "--shots", "3");
        var labels = Labels();
        var train = labels.GroupBy(l => l.Label).SelectMany(g => g.Take(3)).Select(l => l.File).ToHashSet();
        var test = labels.Where(l => !train.Contains(l.File)).ToList();

        Assert.Equal(6, (int)json["train_images"]!);
        Assert.Equal(test.Count, (int)json["test_images"]!);
        var predictions = json["predictions"]!.AsArray();
        Assert.Equal(test.Select(t => t.File), predictions.Select(p => (string)p!["file"]!));
        Assert.Equal(test.Select(t => t.Label), predictions.Select(p => (int)p!["label"]!));
        foreach (var p in predictions)
        {
            var probabilities = p!["probabilities"]!.AsArray().Select(v => (double)v!).ToArray();
            Assert.Equal(1.0, probabilities.Sum(), 1e-5);
            Assert.Equal(Array.IndexOf(probabilities, probabilities.Max()), (int)p["prediction"]!);
        }
        double accuracy = predictions.Count(p => (int)p!["label"]! == (int)p["prediction"]!) / (double)test.Count;
        Assert.Equal(accuracy, (double)json["test_accuracy"]!, 1e-12);
        Assert.True((double)json["gradient_max"]! < 1e-6);
    }

    [Fact]
    public void Zero_shot_accuracy_is_the_evaluate_prediction_on_the_same_test_images()
    {
        var probe = cli.Json("probe", "--data", Reference.Images, "--shots", "5");
        var output = Path.Combine(cli.Directory, "zero-shot.csv");
        Assert.Equal(0, cli.Run("evaluate", "--data", Reference.Images, "--output", output).ExitCode);
        var zeroShot = File.ReadLines(output).Skip(1).Select(l => l.Split(','))
            .ToDictionary(f => f[0], f => f[1] == f[2]);
        var testFiles = probe["predictions"]!.AsArray().Select(p => (string)p!["file"]!).ToList();
        double expected = testFiles.Count(f => zeroShot[f]) / (double)testFiles.Count;
        Assert.Equal(expected, (double)probe["zero_shot_test_accuracy"]!, 1e-12);
    }

    [Fact]
    public void A_list_of_shots_gives_one_result_each_in_order()
    {
        var json = cli.Json("probe", "--data", Reference.Images, "--shots", "1,2,4,8");
        var results = json["results"]!.AsArray();
        Assert.Equal([1, 2, 4, 8], results.Select(r => (int)r!["shots"]!));
        Assert.Equal([2, 4, 8, 16], results.Select(r => (int)r!["train_images"]!));
        Assert.All(results, r => Assert.Equal(27 - (int)r!["train_images"]!, (int)r["test_images"]!));
    }

    [Fact]
    public void Too_many_shots_for_a_class_is_one_line_naming_the_labels_file_and_the_class()
    {
        var result = cli.Run("probe", "--data", Reference.Images, "--shots", "2,13");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("labels.csv': class 'no glasses' has 13 image(s); 13 shot(s) need at least 14", result.Error);
        Assert.StartsWith("error: ", result.Error.Split('\n').Last(l => l.Length > 0));
        Assert.DoesNotContain("   at ", result.Error);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("2,x")]
    [InlineData("2,2")]
    public void A_bad_shots_list_is_a_usage_error(string shots)
    {
        var result = cli.Run("probe", "--data", Reference.Images, "--shots", shots);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("error: --shots", result.Error);
    }
}
