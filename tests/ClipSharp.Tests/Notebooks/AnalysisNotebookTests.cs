namespace ClipSharp.Tests.Notebooks;

/// <summary>The few-shot and retrieval notebooks run in the kernel on the reference data without a cell error, show
/// something in every code cell and draw their charts.</summary>
public class AnalysisNotebookTests
{
    public static TheoryData<string, int> Notebooks => new() { { "06-few-shot", 1 }, { "07-retrieval-and-map", 1 } };

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void Notebook_runs_without_a_cell_error_and_draws_its_charts(string name, int charts)
    {
        var run = NotebookRunner.RunOnReference(name);
        Assert.True(run.ExitCode == 0, run.Describe());
        Assert.Empty(run.Errors);
        var committed = NotebookRunner.ReadCodeCells(Path.Combine(NotebookRunner.NotebooksDirectory, name + ".ipynb"));
        Assert.Equal(committed.Count, run.CodeCells.Count);
        Assert.All(committed, c => Assert.Empty(c.Outputs)); // outputs are cleared in git
        Assert.All(run.CodeCells.Where(c => c.Source.Trim().Length > 0), c => Assert.NotEmpty(c.Outputs));
        var drawn = run.CodeCells.SelectMany(c => c.Html).Where(h => h.Contains("Plotly.newPlot(")).ToList();
        Assert.Equal(charts, drawn.Count);
        Assert.All(drawn, html => Assert.Matches("var data = \\[\\{\"type\":\"scatter\"", html));
    }

    /// <summary>Each chart draws in a real browser with no network: plotly.js ran and made its SVG markers.</summary>
    [SkippableTheory]
    [MemberData(nameof(Notebooks))]
    public void Every_chart_renders_in_headless_Chromium(string name, int charts)
    {
        Skip.If(NotebookRunner.Chromium is null && Environment.GetEnvironmentVariable("CI") != "true",
            "chromium is not installed (CI installs it)");
        var run = NotebookRunner.RunOnReference(name);
        var drawn = run.CodeCells.SelectMany(c => c.Html).Where(h => h.Contains("Plotly.newPlot(")).ToList();
        Assert.Equal(charts, drawn.Count);
        foreach (var html in drawn)
        {
            string dom = NotebookRunner.RenderInBrowser(html);
            Assert.Contains("class=\"main-svg\"", dom);
            Assert.Contains("scatterlayer", dom);
            Assert.Contains("class=\"point\"", dom);
        }
    }

    [Fact]
    public void Few_shot_notebook_says_which_K_the_reference_data_cannot_support()
    {
        // The reference set has 13 and 14 images per class: K = 16 leaves no test image.
        var run = NotebookRunner.RunOnReference("06-few-shot");
        string text = string.Concat(run.CodeCells.Select(c => c.Text));
        Assert.Contains("Skipped K = 16: the smallest class has 13 images", text);
        var table = run.CodeCells.Single(c => c.Source.Contains("Probe_first_K")).Html.Single();
        Assert.Equal(4, System.Text.RegularExpressions.Regex.Matches(table, "<tr").Count - 1); // K = 1, 2, 4, 8
    }

    [Fact]
    public void Retrieval_notebook_shows_a_gallery_per_query_and_hover_files_on_the_map()
    {
        var run = NotebookRunner.RunOnReference("07-retrieval-and-map");
        var galleries = run.CodeCells.Single(c => c.Source.Contains("foreach (var query in queries)")).Html
            .Where(h => h.Contains("<figure")).ToList();
        Assert.Equal(4, galleries.Count);
        Assert.All(galleries, g => Assert.Equal(6, System.Text.RegularExpressions.Regex.Matches(g, "<figure").Count));
        var map = run.CodeCells.SelectMany(c => c.Html).Single(h => h.Contains("Plotly.newPlot("));
        Assert.Contains("face-127.png", map);
        Assert.Contains("text: glasses", map);
    }
}
