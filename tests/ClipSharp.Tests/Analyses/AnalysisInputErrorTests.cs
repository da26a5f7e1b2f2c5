using System.Text.Json.Nodes;

namespace ClipSharp.Tests.Analyses;

/// <summary>Bad inputs to the analysis verbs: one line naming the file or option, exit code 1, no stack trace, and
/// undefined metrics as JSON null rather than a crash.</summary>
public class AnalysisInputErrorTests : IDisposable
{
    readonly AnalysisCli cli = new();
    public void Dispose() => cli.Dispose();

    static void AssertOneLineError(CliSharpResult result, string expected)
    {
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"error: {expected}", result.Error);
        Assert.DoesNotContain("   at ", result.Error);
    }

    [Fact]
    public void Evaluate_without_a_positive_image_gives_null_auc_and_ap()
    {
        // No image of the second class: neither the ROC nor precision at any recall is defined.
        string labels = Path.Combine(cli.Directory, "no-glasses-only.csv");
        File.WriteAllLines(labels, ["file,glasses", "face-127.png,0", "cat.jpg,0"]);
        var json = cli.Json("evaluate", "--data", Reference.Images, "--labels", labels);
        Assert.Equal(2, (int)json["images"]!);
        Assert.True(json.ContainsKey("roc_auc"));
        Assert.Null(json["roc_auc"]);
        Assert.Null(json["average_precision"]);
    }

    [Fact]
    public void Search_over_a_folder_with_a_broken_image_names_it_and_changes_nothing()
    {
        string folder = Directory.CreateDirectory(Path.Combine(cli.Directory, "images")).FullName;
        File.Copy(Path.Combine(Reference.Images, "cat.jpg"), Path.Combine(folder, "cat.jpg"));
        string broken = Path.Combine(folder, "broken.png");
        File.WriteAllBytes(broken, [0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3]);
        var before = File.ReadAllBytes(broken);
        var result = cli.Run("search", "--data", folder, "--text", "a cat");
        AssertOneLineError(new(result.ExitCode, result.Error), "");
        Assert.Contains(broken, result.Error);
        Assert.Equal(before, File.ReadAllBytes(broken));
    }

    [Theory]
    [InlineData("--top", "0", "--top must be at least 1; got 0")]
    [InlineData("--text", " ", "--text is empty")]
    public void Search_rejects_a_bad_option_value_by_name(string option, string value, string message)
    {
        string[] query = option == "--text" ? [] : ["--text", "a cat"];
        var result = cli.Run(["search", "--data", Reference.Images, .. query, option, value]);
        AssertOneLineError(new(result.ExitCode, result.Error), message);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("NaN")]
    public void Probe_rejects_a_negative_or_undefined_l2(string l2)
    {
        var result = cli.Run("probe", "--data", Reference.Images, "--shots", "2", "--l2", l2);
        AssertOneLineError(new(result.ExitCode, result.Error), "--l2 must be ≥ 0");
    }

    [Fact]
    public void Probe_on_a_missing_data_folder_says_how_to_get_the_data()
    {
        string missing = Path.Combine(cli.Directory, "nothing-here");
        var result = cli.Run("probe", "--data", missing, "--shots", "2");
        AssertOneLineError(new(result.ExitCode, result.Error), $"Data folder '{missing}' not found");
    }

    public sealed record CliSharpResult(int ExitCode, string Error);
}
