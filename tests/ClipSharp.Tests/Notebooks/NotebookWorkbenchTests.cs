using ClipSharp.Settings;
namespace ClipSharp.Tests.Notebooks;

/// <summary>The notebooks in the real kernel, as a user meets them: an executed evaluation notebook stays light, a
/// notebook runs from the repository root with inputs given relative to it, and after a missing input every later cell
/// stops with that input's one-line message instead of a NullReferenceException.</summary>
public class NotebookWorkbenchTests
{
    [Fact]
    public void The_executed_evaluation_notebook_is_under_2_MB()
    {
        var run = NotebookRunner.RunOnReference("04-glasses-evaluation");
        Assert.True(run.ExitCode == 0, run.Describe());
        Assert.InRange(run.OutputBytes, 100_000, 2_000_000); // its outputs (plotly.js once, a gallery), yet small
    }

    [Fact]
    public void A_notebook_runs_from_the_repository_root_with_inputs_relative_to_it()
    {
        string root = ClipSettings.Current.Root;
        var environment = NotebookRunner.ReferenceEnvironment();
        string[] inputs = ["CLIP_MODEL", "CLIP_DATA", "CLIP_LABELS"];
        foreach (var key in inputs) environment[key] = Path.GetRelativePath(root, environment[key]);
        Assert.All(inputs, key => Assert.False(Path.IsPathRooted(environment[key])));
        string notebook = Path.Combine(NotebookRunner.NotebooksDirectory, "02-embeddings.ipynb");
        var run = NotebookRunner.Run(notebook, environment, workingDirectory: root);
        Assert.True(run.ExitCode == 0, run.Describe());
        Assert.Empty(run.Errors);
        var inputsCell = run.CodeCells.First(c => c.Source.Contains("NotebookInputs.FromEnvironment"));
        Assert.Contains(Reference.Images, string.Concat(inputsCell.Outputs.Select(o => o.Text))); // resolved, absolute
    }

    [Fact]
    public void After_a_missing_input_every_later_cell_stops_with_the_same_one_line_message()
    {
        var environment = NotebookRunner.ReferenceEnvironment();
        environment["CLIP_DATA"] = Path.Combine(Path.GetTempPath(), "no-such-image-folder");
        string notebook = Path.Combine(NotebookRunner.NotebooksDirectory, "04-glasses-evaluation.ipynb");
        var run = NotebookRunner.Run(notebook, environment);
        Assert.NotEqual(0, run.ExitCode);
        int inputs = run.CodeCells.ToList().FindIndex(c => c.Source.Contains("NotebookInputs.FromEnvironment"));
        string message = Assert.Single(run.CodeCells[inputs].Errors);
        Assert.Contains("no-such-image-folder", message);
        var later = run.CodeCells.Skip(inputs + 1).Where(c => c.Source.Trim().Length > 0).ToList();
        Assert.True(later.Count >= 5, $"only {later.Count} cells after the inputs cell");
        Assert.All(later, c => Assert.Equal([message], c.Errors));
        Assert.DoesNotContain(run.Errors, e => e.Contains("NullReferenceException") || e.Contains("   at "));
    }
}
