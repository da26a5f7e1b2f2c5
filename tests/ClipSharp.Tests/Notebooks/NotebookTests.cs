using ClipSharp.Settings;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ClipSharp.Tests.Cli;

namespace ClipSharp.Tests.Notebooks;

/// <summary>Every notebook runs cell by cell in the real dotnet-interactive kernel on the reference data, without a
/// cell error, and draws its charts; a broken notebook proves the runner sees errors.</summary>
public class NotebookTests
{
    /// <summary>Each notebook and the Plotly charts it must draw.</summary>
    public static TheoryData<string, int> Notebooks => new()
    {
        { "01-tokenization", 0 },
        { "02-embeddings", 0 },
        { "03-similarity-matrix", 2 },
        { "04-glasses-evaluation", 6 },
        { "05-prompt-engineering", 2 },
        { "06-few-shot", 1 },
        { "07-retrieval-and-map", 1 },
        { "08-saliency", 0 },
    };

    public static TheoryData<string, int> ChartNotebooks => new()
    {
        { "03-similarity-matrix", 2 }, { "04-glasses-evaluation", 6 }, { "05-prompt-engineering", 2 },
        { "06-few-shot", 1 }, { "07-retrieval-and-map", 1 },
    };

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void Notebook_runs_in_the_kernel_without_a_cell_error_and_draws_its_charts(string name, int charts)
    {
        var run = NotebookRunner.RunOnReference(name);
        Assert.True(run.ExitCode == 0, run.Describe());
        Assert.Empty(run.Errors);
        var committed = NotebookRunner.ReadCodeCells(Path.Combine(NotebookRunner.NotebooksDirectory, name + ".ipynb"));
        Assert.Equal(committed.Count, run.CodeCells.Count);
        // every cell ran and showed something
        Assert.All(run.CodeCells.Where(c => c.Source.Trim().Length > 0), c => Assert.NotEmpty(c.Outputs));

        var drawn = run.CodeCells.SelectMany(c => c.Html).Where(h => h.Contains("Plotly.newPlot(")).ToList();
        Assert.Equal(charts, drawn.Count);
        // plotly.js (packed) goes out with the session's first chart only; nothing is fetched from a CDN.
        Assert.Equal(charts > 0 ? 1 : 0, drawn.Count(h => h.Contains("window.clipSharpPlotly = (async function")));
        if (charts > 0) Assert.Contains("window.clipSharpPlotly = (async function", drawn[0]);
        Assert.All(drawn, html =>
        {
            Assert.DoesNotContain("require.min.js", html);
            Assert.DoesNotContain("<script src=", html);
            Assert.Matches("var data = \\[\\{\"type\":\"(heatmap|histogram|bar|scatter)\"", html);
        });
    }

    /// <summary>The executed notebook's outputs, in order in one page as a notebook viewer shows them, draw every chart
    /// in a real browser with no network: plotly.js, sent once, ran and made each chart's SVG.</summary>
    [SkippableTheory]
    [MemberData(nameof(ChartNotebooks))]
    public void Every_chart_renders_in_headless_Chromium(string name, int charts)
    {
        Skip.If(NotebookRunner.Chromium is null && Environment.GetEnvironmentVariable("CI") != "true",
            "install chromium to run the 5 chart-rendering tests of NotebookTests");
        var run = NotebookRunner.RunOnReference(name);
        string page = string.Concat(run.CodeCells.SelectMany(c => c.Html));
        string dom = NotebookRunner.RenderInBrowser(page);
        Assert.Equal(charts, Regex.Matches(dom, "class=\"plot-container plotly\"").Count);
        Assert.Matches("class=\"(trace bars|hm|heatmaplayer|scatterlayer)", dom);
        Assert.DoesNotContain(">This chart is not drawn", dom); // no message in a chart's place
    }

    [Fact]
    public void Tokenization_notebook_shows_the_tutorials_token_table()
    {
        var run = NotebookRunner.RunOnReference("01-tokenization");
        var table = run.CodeCells.Single(c => c.Source.Contains("Tokenize(classes")).Html.Single();
        // [2, 77]: SOT, "no glasses" = [871, 9677], EOT, padding; "glasses" = [9677].
        const string cell = "<td style=\"padding:1px 4px;text-align:right\">";
        Assert.Contains($">no glasses</th>{cell}49406</td>{cell}871</td>", table);
        Assert.Equal(2 * 77, Regex.Matches(table, "<td ").Count);
        Assert.Contains("Int32 [2, 77]", run.CodeCells.Single(c => c.Source.Contains("Tokenize(classes")).Text);
    }

    [Fact]
    public void Evaluation_notebook_accuracy_equals_clip_evaluate_on_the_same_inputs()
    {
        var run = NotebookRunner.RunOnReference("04-glasses-evaluation");
        Assert.True(run.ExitCode == 0, run.Describe());
        double notebook = AccuracyIn(string.Concat(run.CodeCells.Select(c => c.Text)));

        string cache = Path.Combine(Path.GetTempPath(), $"clip-nb-cache-{Guid.NewGuid():N}");
        var cli = CliRunner.Run("evaluate", "--model", Reference.Model("tiny-rn.pt"), "--data", Reference.Images,
            "--labels", Path.Combine(Reference.Images, "labels.csv"), "--vocab", Reference.Vocab, "--limit", "100",
            "--cache", cache);
        Directory.Delete(cache, recursive: true);
        Assert.True(cli.ExitCode == 0, cli.Error);
        Assert.Equal(AccuracyIn(cli.Output), notebook);
        // and both match the official code's predictions (tiny-rn.zero_shot_expected.csv)
        Assert.Equal(0.3333, notebook);
    }

    /// <summary>A missing input stops the inputs cell with a message naming it and where to get it.</summary>
    [Theory]
    [InlineData("04-glasses-evaluation", "CLIP_DATA", "no-such-image-folder", "data/README.md")]
    [InlineData("02-embeddings", "CLIP_MODEL", "no-such-model.pt", "weights/README.md")]
    [InlineData("05-prompt-engineering", "CLIP_LABELS", "no-such-labels.csv", "CLIP_LABELS")]
    public void Without_weights_or_data_a_notebook_stops_at_its_first_cell_saying_how_to_get_them(
        string name, string variable, string missing, string advice)
    {
        var environment = NotebookRunner.ReferenceEnvironment();
        environment[variable] = Path.Combine(Path.GetTempPath(), missing);
        var run = NotebookRunner.Run(Path.Combine(NotebookRunner.NotebooksDirectory, name + ".ipynb"), environment);
        Assert.NotEqual(0, run.ExitCode);
        var inputsCell = run.CodeCells.First(c => c.Source.Contains("NotebookInputs.FromEnvironment"));
        Assert.Contains(inputsCell.Errors, e => e.Contains(missing) && e.Contains(advice));
        Assert.All(inputsCell.Errors, e => Assert.DoesNotContain("   at ", e)); // the message alone, no stack trace
    }

    [Fact]
    public void The_runner_fails_a_notebook_with_a_broken_cell()
    {
        var run = NotebookRunner.Run(
            Path.Combine(ClipSettings.Current.Root, "tests", "ClipSharp.Tests", "Notebooks", "broken.ipynb"),
            new Dictionary<string, string>());
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("before the failure", run.CodeCells[0].Text);
        Assert.Contains(run.CodeCells[1].Errors, e => e.Contains("deliberately broken cell"));
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void Notebooks_are_committed_with_outputs_cleared(string name, int charts)
    {
        _ = charts;
        string path = Path.Combine(NotebookRunner.NotebooksDirectory, name + ".ipynb");
        var cells = JsonNode.Parse(File.ReadAllText(path))!["cells"]!.AsArray();
        Assert.All(cells.Where(c => (string?)c!["cell_type"] == "code"), c =>
        {
            Assert.Empty(c!["outputs"]!.AsArray());
            Assert.Null(c["execution_count"]);
        });
        // A first cell that moves the kernel into notebooks/, then one #r, of the built library, at the top of the
        // second.
        var sources = NotebookRunner.ReadCodeCells(path).Select(c => c.Source).ToList();
        Assert.Contains("SetCurrentDirectory", sources[0]);
        Assert.StartsWith("#r \"../src/ClipSharp.Notebooks/bin/Release/net10.0/ClipSharp.Notebooks.dll\"\n",
            sources[1]);
        Assert.Equal(1, sources.Sum(s => Regex.Matches(s, @"^#r ", RegexOptions.Multiline).Count));
    }

    static double AccuracyIn(string text)
    {
        var match = Regex.Match(text, @"Accuracy: (\d\.\d{4})");
        Assert.True(match.Success, $"no 'Accuracy:' line in:\n{text}");
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }
}
