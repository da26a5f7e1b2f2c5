using ClipSharp.Notebooks;

namespace ClipSharp.Tests.Notebooks;

/// <summary>Notebook inputs, in-process: relative paths (given in code or in CLIP_*) are read from the repository root
/// whatever the current folder; messages name the absolute path tried and only advice that exists on a user's machine;
/// once an input is missing, the inputs object gives that same error again.</summary>
public class NotebookInputsTests
{
    [Fact]
    public void The_repository_root_is_the_folder_of_ClipNotebooks_sln()
    {
        string root = NotebookInputs.WorkspaceRoot;
        Assert.True(File.Exists(Path.Combine(root, "ClipNotebooks.sln")), root);
    }

    [Fact]
    public void Relative_paths_are_read_from_the_repository_root_and_registry_names_stay_names()
    {
        string root = NotebookInputs.WorkspaceRoot;
        var inputs = WithVariables(() =>
            NotebookInputs.FromEnvironment(model: "weights/tiny.pt", data: "data/glasses", labels: "data/x.csv"));
        Assert.Equal(Path.Combine(root, "weights", "tiny.pt"), inputs.Model);
        Assert.Equal(Path.Combine(root, "data", "glasses"), inputs.Data);
        Assert.Equal(Path.Combine(root, "data", "x.csv"), inputs.Labels);
        Assert.Equal("RN50", WithVariables(() => NotebookInputs.FromEnvironment(model: "RN50")).Model);
        Assert.Equal("ViT-B/32", WithVariables(() => NotebookInputs.FromEnvironment(model: "ViT-B/32")).Model);
        string absolute = Path.Combine(Path.GetTempPath(), "elsewhere");
        Assert.Equal(absolute, WithVariables(() => NotebookInputs.FromEnvironment(data: absolute)).Data);
    }

    [Fact]
    public void Relative_CLIP_variables_are_read_from_the_repository_root_not_the_current_folder()
    {
        var inputs = WithVariables(() => NotebookInputs.FromEnvironment(),
            ("CLIP_DATA", "../images"), ("CLIP_LABELS", "labels.csv"),
            ("CLIP_MODEL", "models/m.safetensors"));
        string root = NotebookInputs.WorkspaceRoot;
        Assert.Equal(Path.GetFullPath(Path.Combine(root, "..", "images")), inputs.Data);
        Assert.Equal(Path.Combine(root, "labels.csv"), inputs.Labels);
        Assert.Equal(Path.Combine(root, "models", "m.safetensors"), inputs.Model);
    }

    [Fact]
    public void A_missing_folder_names_the_absolute_path_tried_and_the_root_and_later_calls_give_the_same_error()
    {
        string missing = $"no-such-folder-{Guid.NewGuid():N}";
        var inputs = WithVariables(() =>
            NotebookInputs.FromEnvironment(model: Reference.Model("tiny-rn.pt"), data: missing));
        var first = Assert.Throws<MissingInputException>(inputs.RequireData);
        Assert.IsAssignableFrom<ClipSharpException>(first);
        Assert.Contains($"'{Path.Combine(NotebookInputs.WorkspaceRoot, missing)}'", first.Message);
        Assert.Contains("data/README.md", first.Message);
        Assert.DoesNotContain("shared/reference", first.Message); // no hint that exists only in a development checkout
        Assert.Equal(first.Message, first.ToString());             // one line in the kernel: no stack trace
        Assert.Same(first, Assert.Throws<MissingInputException>(() => inputs.RequireModel())); // the model is there
        Assert.Same(first, Assert.Throws<MissingInputException>(() => inputs.LoadImages(["a", "b"])));
    }

    [Fact]
    public void A_missing_checkpoint_says_how_to_download_one_without_development_paths()
    {
        var inputs = WithVariables(() => NotebookInputs.FromEnvironment(model: "weights/none.pt"));
        var e = Assert.Throws<MissingInputException>(() => inputs.RequireModel());
        Assert.Contains(Path.Combine(NotebookInputs.WorkspaceRoot, "weights", "none.pt"), e.Message);
        Assert.Contains("download RN50", e.Message);
        Assert.Contains("weights/README.md", e.Message);
        Assert.DoesNotContain("shared/reference", e.Message);
    }

    /// <summary>Runs with the CLIP_* variables unset except those given, then restores them.</summary>
    static NotebookInputs WithVariables(Func<NotebookInputs> make, params (string Name, string Value)[] set)
    {
        string[] names = ["CLIP_MODEL", "CLIP_DATA", "CLIP_LABELS"];
        var before = names.ToDictionary(n => n, Environment.GetEnvironmentVariable);
        try
        {
            foreach (var n in names) Environment.SetEnvironmentVariable(n, null);
            foreach (var (n, v) in set) Environment.SetEnvironmentVariable(n, v);
            return make();
        }
        finally
        {
            foreach (var (n, v) in before) Environment.SetEnvironmentVariable(n, v);
        }
    }
}
