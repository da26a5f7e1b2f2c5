using ClipSharp.Analyses;
using ClipSharp.Tests.Cli;
using static ClipSharp.Tests.Hardening.OutputTestFiles;

namespace ClipSharp.Tests.Hardening;

/// <summary><c>clip search --data</c> folders: symbolic-link loops end, each real folder and image is listed once,
/// and the walk is bounded with an error naming the folder.</summary>
public sealed class SearchFolderWalkTests : TempFolderTest
{
    string Folder(string name)
    {
        string path = Path.Combine(Dir, name);
        Directory.CreateDirectory(path);
        return path;
    }

    string Image(string folder, string name)
    {
        string path = Path.Combine(folder, name);
        File.Copy(Path.Combine(Reference.Images, "cat.jpg"), path);
        return path;
    }

    static IReadOnlyList<string> Expand(params string[] args)
    {
        var task = Task.Run(() => ImageFiles.Expand(args));
        Assert.True(task.Wait(TimeSpan.FromSeconds(60)), "the folder walk hung");
        return task.Result;
    }

    [Fact]
    public void Links_back_up_the_tree_end_the_walk_and_list_each_image_once()
    {
        string loop = Folder("loop3");
        string cat = Image(loop, "cat.jpg");
        File.CreateSymbolicLink(Path.Combine(loop, "a"), ".");
        File.CreateSymbolicLink(Path.Combine(loop, "b"), ".");
        File.CreateSymbolicLink(Path.Combine(loop, "up"), "..");
        Assert.Equal([cat], Expand(loop));
    }

    [Fact]
    public void A_folder_named_twice_or_nested_and_linked_or_hard_linked_images_are_listed_once()
    {
        string top = Folder("d");
        string sub = Folder(Path.Combine("d", "sub"));
        string a = Image(top, "a.jpg");
        string b = Image(sub, "b.jpg");
        MakeHardLink(a, Path.Combine(sub, "hard.jpg"));
        File.CreateSymbolicLink(Path.Combine(sub, "soft.jpg"), a);
        Assert.Equal([a, b], Expand(top, top, sub, a));
    }

    [Fact]
    public void A_plain_tree_lists_what_the_runtime_enumerates_in_ordinal_order()
    {
        string top = Folder("plain");
        string inner = Folder(Path.Combine("plain", "B", "c"));
        Image(top, "z.PNG".ToLowerInvariant());
        Image(inner, "x.jpg");
        Image(Path.Combine(top, "B"), "y.jpeg");
        File.WriteAllText(Path.Combine(top, "notes.txt"), "not an image");
        var expected = Directory.EnumerateFiles(top, "*", SearchOption.AllDirectories)
            .Where(p => !p.EndsWith(".txt", StringComparison.Ordinal)).Order(StringComparer.Ordinal);
        Assert.Equal(expected, Expand(top));
    }

    [Fact]
    public void Too_many_entries_is_an_error_naming_the_folder()
    {
        string many = Folder("many");
        for (int i = 0; i < 12; i++) File.WriteAllText(Path.Combine(many, $"{i}.txt"), "");
        var e = Assert.Throws<AnalysisException>(() => ImageFiles.Expand([many], maxEntries: 10));
        Assert.Equal($"Folder '{many}' holds more than 10 files and folders (sub-folders and linked folders " +
            "included); name a smaller folder or the images themselves", e.Message);
        Assert.Equal(12, Directory.GetFiles(many).Length);
    }

    [Fact]
    public void Search_over_a_link_loop_named_twice_lists_the_image_once()
    {
        string loop = Folder("loop");
        string cat = Image(loop, "cat.jpg");
        File.CreateSymbolicLink(Path.Combine(loop, "a"), ".");
        File.CreateSymbolicLink(Path.Combine(loop, "b"), ".");
        var task = Task.Run(() => CliRunner.Run("search", "-m", Reference.Model("tiny-rn.pt"), "--no-cache",
            "-d", loop, "-d", loop, "--text", "cat", "--vocab", Reference.Vocab));
        Assert.True(task.Wait(TimeSpan.FromSeconds(120)), "search over a link loop hung");
        var result = task.Result;
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("; 1 images", result.Output);
        Assert.Single(result.Output.Split('\n'), l => l.EndsWith(cat, StringComparison.Ordinal));
    }
}
