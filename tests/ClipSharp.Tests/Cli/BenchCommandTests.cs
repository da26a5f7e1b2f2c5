using System.Text.Json;

namespace ClipSharp.Tests.Cli;

/// <summary><c>clip bench</c> on the tiny reference model: every case it promises is measured and reported (the numbers
/// themselves are the bench's business, not a test's).</summary>
public class BenchCommandTests
{
    [Fact]
    public void Bench_reports_every_case_with_rates_peaks_memory_bf16_accuracy_and_the_evaluation()
    {
        var run = CliRunner.Run("bench", "--model", Reference.Model("tiny-rn.pt"), "--vocab", Reference.Vocab,
            "--dtype", "fp32", "bf16",
            "--image-batch", "1", "4", "--text-batch", "2", "40", "--runs", "1", "--min-seconds", "0", "--images", "4",
            "--json");
        Assert.True(run.ExitCode == 0, run.Error);
        using var report = JsonDocument.Parse(run.Output);
        var root = report.RootElement;

        Assert.True(root.GetProperty("matmul_peak_gflops").GetProperty("fp32").GetDouble() > 0);
        Assert.True(root.GetProperty("matmul_peak_gflops").GetProperty("bf16").GetDouble() > 0);
        var cases = root.GetProperty("cases").EnumerateArray()
            .Select(c => (Case: c.GetProperty("case").GetString()!, Dtype: c.GetProperty("dtype").GetString()!, c))
            .ToList();
        Assert.Equal(["image batch 1 fp32", "image batch 4 fp32", "text batch 2 fp32", "text batch 40 fp32",
                "image batch 1 bf16", "image batch 4 bf16"],
            cases.Select(c => $"{(c.Case.StartsWith("text") ? c.Case[..c.Case.IndexOf(" (")] : c.Case)} {c.Dtype}"));
        Assert.All(cases, c =>
        {
            Assert.True(c.c.GetProperty("median_ms").GetDouble() > 0);
            Assert.True(c.c.GetProperty("min_ms").GetDouble() <= c.c.GetProperty("max_ms").GetDouble());
            Assert.True(c.c.GetProperty("gflop_per_second").GetDouble() > 0);
            Assert.True(c.c.GetProperty("peak_rss_mib").GetDouble() > 0);
            Assert.Equal(1, c.c.GetProperty("runs").GetInt32()); // --runs 1 and no minimum time
        });
        Assert.True(root.GetProperty("bf16_accuracy").GetProperty("min_cosine").GetDouble() >= 0.999);
        var evaluations = root.GetProperty("evaluations").EnumerateArray().ToList();
        Assert.Equal(2, evaluations.Count);
        Assert.All(evaluations, e =>
        {
            Assert.Equal(4, e.GetProperty("images").GetInt32());
            // the second evaluation used the cache
            Assert.Equal(0, e.GetProperty("new_prompts_encoded_images").GetInt32());
        });
    }

    [Fact]
    public void A_minimum_time_adds_runs_to_a_fast_case()
    {
        var run = CliRunner.Run("bench", "--model", Reference.Model("tiny-rn.pt"), "--vocab", Reference.Vocab,
            "--dtype", "fp32", "--image-batch", "1", "--text-batch", "2", "--runs", "2", "--min-seconds", "0.5",
            "--no-evaluate", "--json");
        Assert.True(run.ExitCode == 0, run.Error);
        using var report = JsonDocument.Parse(run.Output);
        foreach (var c in report.RootElement.GetProperty("cases").EnumerateArray())
        {
            int runs = c.GetProperty("runs").GetInt32();
            // The tiny model takes milliseconds a run: half a second is many runs, never more than the cap.
            Assert.InRange(runs, 3, 200);
            Assert.True(runs * c.GetProperty("max_ms").GetDouble() >= 400 || runs == 200,
                $"{c.GetProperty("case")}: {runs} runs of at most {c.GetProperty("max_ms")} ms");
        }
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("601")]
    public void Bench_refuses_a_minimum_time_out_of_range(string seconds)
    {
        var run = CliRunner.Run("bench", "--min-seconds", seconds);
        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"error: --min-seconds must be between 0 and 600; got {seconds}", run.Error.Trim());
    }

    [Fact]
    public void Bench_refuses_a_non_positive_run_count_in_one_line()
    {
        var run = CliRunner.Run("bench", "--runs", "0");
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("error: --runs must be positive; got 0", run.Error.Trim());
    }
}
