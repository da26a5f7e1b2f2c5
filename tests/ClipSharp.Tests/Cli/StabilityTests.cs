using ClipSharp.Cli.Benchmarking;

namespace ClipSharp.Tests.Cli;

/// <summary>A bench case whose slowest run takes over 1.5× its fastest was measured on a busy machine: it is
/// flagged, in the table and as "unstable": true in the JSON.</summary>
public class StabilityTests
{
    [Theory]
    [InlineData(100, 100, false)]
    [InlineData(100, 150, false)]
    [InlineData(100, 150.1, true)]
    [InlineData(44, 167, true)]
    [InlineData(0, 10, false)] // no time measured: nothing to judge
    public void The_rule_is_max_over_min_above_one_and_a_half(double min, double max, bool unstable)
    {
        Assert.Equal(unstable, Stability.IsUnstable(min, max));
        var measurement =
            new Measurement("image batch 1", "fp32", 1, "img", (min + max) / 2, min, max, 1, null, null, 1);
        Assert.Equal(unstable, measurement.Unstable);
    }

    [Fact]
    public void The_json_and_the_table_say_unstable()
    {
        var machine = new MachineInfo("cpu", 2, "none", 2, ".NET", "0");
        var cases = new[]
        {
            new Measurement("steady", "fp32", 1, "img", 10, 10, 11, 100, 1, 1, 1),
            new Measurement("busy", "fp32", 1, "img", 10, 10, 30, 100, 1, 1, 1),
        };
        var report = new BenchReport(machine, new() { ["fp32"] = 1 }, 1, cases, null, [], []);
        string json = System.Text.Json.JsonSerializer.Serialize(report, new System.Text.Json.JsonSerializerOptions
        {
            PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower,
        });
        using var document = System.Text.Json.JsonDocument.Parse(json);
        Assert.Equal([false, true], document.RootElement.GetProperty("cases").EnumerateArray()
            .Select(c => c.GetProperty("unstable").GetBoolean()));
        Assert.Equal(1, document.RootElement.GetProperty("unstable_cases").GetInt32());

        var output = new StringWriter();
        report.WriteText(new ClipSharp.Cli.CliContext(output, TextWriter.Null));
        var lines = output.ToString().Split('\n');
        Assert.EndsWith("unstable", Assert.Single(lines, l => l.StartsWith("busy")));
        Assert.DoesNotContain("unstable", Assert.Single(lines, l => l.StartsWith("steady")));
        Assert.Contains(lines, l => l.StartsWith("note: 1 case(s) unstable"));
    }
}
