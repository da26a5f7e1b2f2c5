using ClipSharp.Datasets;
using ClipSharp.Tests.Cli;
using ClipSharp.Tests.Datasets;

namespace ClipSharp.Tests.Hardening;

/// <summary><c>clip download glasses -d FOLDER</c> never replaces (or offers to replace) a folder that holds anything
/// but the set's files: someone's work there stays byte for byte, and the server is not even asked.</summary>
public sealed class DownloadGlassesFolderTests : DownloadServerTest
{
    public DownloadGlassesFolderTests() =>
        Server["/good.zip"] = DownloadTestServer.Body(FakeGlassesArchive.Build(rows: 4, images: 4));

    string Mirror => Server.BaseUrl + "/good.zip";

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_folder_of_other_files_is_refused_with_or_without_force(bool force)
    {
        string precious = Directory.CreateDirectory(Path.Combine(Dir, "precious")).FullName;
        File.WriteAllText(Path.Combine(precious, "thesis.txt"), "thesis");
        string[] args = ["download", "glasses", "--mirror", Mirror, "-d", precious];
        var result = CliRunner.Run(force ? [.. args, "--force"] : args);
        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"error: '{precious}' is not a glasses data set folder (it holds 'thesis.txt', which is not a " +
            "file of the set), so it is left as it is: give --data a new or empty folder for the set.",
            result.Error.Trim());
        Assert.DoesNotContain("--force", result.Error);
        Assert.Equal("thesis", File.ReadAllText(Path.Combine(precious, "thesis.txt")));
        Assert.Single(Directory.GetFileSystemEntries(precious));
        Assert.Empty(Server.Requests);
    }

    [Fact]
    public void A_set_with_a_stray_file_or_subfolder_is_not_replaced_by_force()
    {
        string data = Directory.CreateDirectory(Path.Combine(Dir, "glasses")).FullName;
        File.WriteAllText(Path.Combine(data, "train.csv"), "id\n");
        Directory.CreateDirectory(Path.Combine(data, "face-1.png")); // a folder under a face's name
        var result = CliRunner.Run("download", "glasses", "--mirror", Mirror, "-d", data, "--force");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("(it holds 'face-1.png', which is not a file of the set)", result.Error);
        Assert.Equal("id\n", File.ReadAllText(Path.Combine(data, "train.csv")));
        Assert.True(Directory.Exists(Path.Combine(data, "face-1.png")));
    }

    [Fact]
    public void A_folder_without_train_csv_is_refused()
    {
        string data = Directory.CreateDirectory(Path.Combine(Dir, "faces")).FullName;
        File.WriteAllBytes(Path.Combine(data, "face-7.png"), FakeGlassesArchive.Png);
        var result = CliRunner.Run("download", "glasses", "--mirror", Mirror, "-d", data, "--force");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"'{data}' is not a glasses data set folder (it has no train.csv)", result.Error);
        Assert.Equal(FakeGlassesArchive.Png, File.ReadAllBytes(Path.Combine(data, "face-7.png")));
    }

    [Fact]
    public void A_regular_file_as_the_folder_is_refused_and_kept()
    {
        string file = Path.Combine(Dir, "notes");
        File.WriteAllText(file, "notes");
        var result = CliRunner.Run("download", "glasses", "--mirror", Mirror, "-d", file, "--force");
        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"error: '{file}' is a file, not a folder for the glasses set: give --data a folder",
            result.Error.Trim());
        Assert.Equal("notes", File.ReadAllText(file));
    }

    [Fact]
    public void An_empty_folder_is_filled_and_a_real_set_is_still_replaced_by_force()
    {
        string data = Directory.CreateDirectory(Path.Combine(Dir, "glasses")).FullName;
        var first = CliRunner.Run("download", "glasses", "--mirror", Mirror, "-d", data);
        Assert.Equal(0, first.ExitCode);
        Assert.True(File.Exists(Path.Combine(data, "face-4.png")));
        File.AppendAllText(Path.Combine(data, "test.csv"), "edited");
        var again = CliRunner.Run("download", "glasses", "--mirror", Mirror, "-d", data, "--force");
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("(downloaded)", again.Output);
        Assert.False(File.Exists(Path.Combine(data, "test.csv"))); // the fresh copy has none
        Assert.Equal(4, GlassesDataset.Verify(data).Rows);
    }
}
