using System.Text.RegularExpressions;

namespace ClipSharp.Tests.Notebooks;

/// <summary>Notebook 08 on the reference data (the tiny ResNet) shows Grad-CAM overlays as inlined PNGs for correctly
/// and wrongly classified faces of both classes.</summary>
public class SaliencyNotebookTests
{
    const string Name = "08-saliency";

    [Fact]
    public void Saliency_notebook_shows_overlays_for_right_and_wrong_faces_of_both_classes()
    {
        var run = NotebookRunner.RunOnReference(Name);
        Assert.True(run.ExitCode == 0, run.Describe()); // NotebookTests checks every cell; here, what it shows

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
