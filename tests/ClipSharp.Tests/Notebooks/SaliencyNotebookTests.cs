using System.Text.RegularExpressions;

namespace ClipSharp.Tests.Notebooks;

/// <summary>Notebook 08 runs in the real kernel on the reference data (the tiny ResNet) without a cell error, and shows
/// Grad-CAM overlays as inlined PNGs for correctly and wrongly classified faces of both classes.</summary>
public class SaliencyNotebookTests
{
    const string Name = "08-saliency";

    [Fact]
    public void Saliency_notebook_runs_without_a_cell_error_and_shows_overlays()
    {
        var run = NotebookRunner.RunOnReference(Name);
        Assert.True(run.ExitCode == 0, run.Describe());
        Assert.Empty(run.Errors);
        var committed = NotebookRunner.ReadCodeCells(Path.Combine(NotebookRunner.NotebooksDirectory, Name + ".ipynb"));
        Assert.Equal(committed.Count, run.CodeCells.Count);
        Assert.All(committed, c => Assert.Empty(c.Outputs));                   // outputs are cleared in git
        Assert.All(run.CodeCells.Where(c => c.Source.Trim().Length > 0), c => Assert.NotEmpty(c.Outputs));

        // Four galleries (glasses / no glasses × correct / wrong); each face: the crop and one overlay per class.
        var galleries = run.CodeCells.Where(c => c.Source.TrimStart().StartsWith("Explain(")).ToList();
        Assert.Equal(4, galleries.Count);
        foreach (var cell in galleries)
        {
            string html = Assert.Single(cell.Html);
            int pictures = Regex.Matches(html, "<img src=\"data:image/png;base64,").Count;
            int faces = Regex.Matches(html, "alt=\"[^\"]*: true ").Count;
            Assert.True(faces > 0, $"no face in '{cell.Source.Trim()}' (the reference data has faces in every group)");
            Assert.Equal(3 * faces, pictures);
            Assert.Equal(faces, Regex.Matches(html, "alt=\"map for &#39;glasses&#39;").Count);
        }
        Assert.Contains("Grad-CAM maps: 2×2 cells", string.Concat(run.CodeCells.Select(c => c.Text)));
    }
}
