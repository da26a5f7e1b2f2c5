namespace ClipSharp.Tests.Notebooks;

/// <summary>What the few-shot and retrieval notebooks show on the reference data (NotebookTests runs them, as every
/// notebook, for cell errors and charts).</summary>
public class AnalysisNotebookTests
{
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
