using System.Globalization;
using System.Text.Json.Nodes;

namespace ClipSharp.Tests.Analyses;

/// <summary><c>clip evaluate --format json</c> and the text summary, against the official zero-shot probabilities of
/// the tiny model (metrics recomputed here by pair counting and by the Wilson formula).</summary>
public class EvaluateMetricsCliTests : IDisposable
{
    readonly AnalysisCli cli = new();
    public void Dispose() => cli.Dispose();

    static List<(int Label, double PGlasses)> Official() =>
        [.. File.ReadLines(Reference.Model("tiny-rn.zero_shot_expected.csv")).Skip(1).Select(l => l.Split(','))
            .Select(f => (int.Parse(f[1], CultureInfo.InvariantCulture),
                double.Parse(f[4], CultureInfo.InvariantCulture)))];

    [Fact]
    public void Json_holds_accuracy_interval_confusion_auc_and_ap_of_the_official_probabilities()
    {
        var json = cli.Json("evaluate", "--data", Reference.Images);
        var official = Official();
        var predicted = official.Select(o => o.PGlasses > 0.5 ? 1 : 0).ToList();
        int correct = official.Where((o, i) => o.Label == predicted[i]).Count();

        Assert.Equal(official.Count, (int)json["images"]!);
        Assert.Equal(correct, (int)json["correct"]!);
        Assert.Equal((double)correct / official.Count, (double)json["accuracy"]!, 1e-12);
        var confusion = json["confusion"]!.AsArray();
        for (int a = 0; a < 2; a++)
            for (int p = 0; p < 2; p++)
                Assert.Equal(official.Where((o, i) => o.Label == a && predicted[i] == p).Count(),
                    (int)confusion[a]![p]!);

        double n = official.Count, phat = correct / n, z = 1.959964;
        double centre = (phat + z * z / (2 * n)) / (1 + z * z / n);
        double half = z * Math.Sqrt(phat * (1 - phat) / n + z * z / (4 * n * n)) / (1 + z * z / n);
        Assert.Equal(centre - half, (double)json["accuracy_ci95"]![0]!, 1e-9);
        Assert.Equal(centre + half, (double)json["accuracy_ci95"]![1]!, 1e-9);

        var pos = official.Where(o => o.Label == 1).Select(o => o.PGlasses).ToList();
        var neg = official.Where(o => o.Label == 0).Select(o => o.PGlasses).ToList();
        double auc = pos.Sum(p => neg.Sum(q => p > q ? 1 : p == q ? 0.5 : 0)) / (pos.Count * neg.Count);
        Assert.Equal(auc, (double)json["roc_auc"]!, 1e-9);
        // AP: precision at each positive's rank (no ties among these probabilities), averaged over positives.
        var ranked = official.OrderByDescending(o => o.PGlasses).ToList();
        double ap = ranked.Select((o, r) => o.Label == 1 ? ranked.Take(r + 1).Count(x => x.Label == 1) / (r + 1.0) : 0)
            .Sum() / pos.Count;
        Assert.Equal(ap, (double)json["average_precision"]!, 1e-9);
    }

    [Fact]
    public void Json_alias_and_the_text_summary_show_the_same_numbers()
    {
        var result = cli.Run("evaluate", "--data", Reference.Images, "--json");
        Assert.Equal(0, result.ExitCode);
        var json = JsonNode.Parse(result.Output)!;
        var text = cli.Run("evaluate", "--data", Reference.Images);
        Assert.Equal(0, text.ExitCode);
        Assert.Contains($"Accuracy: {F4(json["accuracy"])}\n", text.Output);
        Assert.Contains($"Accuracy 95% CI (Wilson): [{F4(json["accuracy_ci95"]![0])}, {F4(json["accuracy_ci95"]![1])}]",
            text.Output);
        Assert.Contains($"ROC AUC (glasses): {F4(json["roc_auc"])}", text.Output);
    }

    static string F4(JsonNode? value) => ((double)value!).ToString("F4", CultureInfo.InvariantCulture);

    [Fact]
    public void Three_classes_give_no_binary_metrics_and_a_3x3_confusion()
    {
        var json = cli.Json("evaluate", "--data", Reference.Images,
            "--class", "no glasses", "--class", "glasses", "--class", "a cat");
        Assert.Equal(3, json["confusion"]!.AsArray().Count);
        Assert.All(json["confusion"]!.AsArray(), row => Assert.Equal(3, row!.AsArray().Count));
        Assert.False(json.ContainsKey("roc_auc"));
        Assert.Equal((int)json["images"]!, json["confusion"]!.AsArray().Sum(r => r!.AsArray().Sum(c => (int)c!)));
    }

    [Fact]
    public void An_unknown_format_is_a_usage_error()
    {
        var result = cli.Run("evaluate", "--data", Reference.Images, "--format", "yaml");
        Assert.NotEqual(0, result.ExitCode);
        Assert.DoesNotContain("   at ", result.Error);
    }
}
