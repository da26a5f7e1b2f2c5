namespace ClipSharp.Tests.Cli;

/// <summary><c>clip classify</c> of more images than one batch says how far it is; a small run stays quiet.</summary>
public class ClassifyProgressTests : TempFolderTest
{
    static CliRunner.Result Classify(string folder) =>
        CliRunner.Run("classify", "-m", Reference.Model("tiny-rn.pt"), "--vocab", Reference.Vocab,
            "--class", "no glasses", "--class", "glasses", "--format", "csv", folder);

    [Fact]
    public void Forty_images_report_their_progress_on_stderr_and_every_row_on_stdout()
    {
        for (int i = 0; i < 40; i++) AddImage($"faces/face-{i:D2}.png");
        var run = Classify(Path.Combine(Dir, "faces"));
        Assert.True(run.ExitCode == 0, run.Error);
        var progress = run.Error.TrimEnd('\n').Split('\n');
        Assert.Equal(["Encoding images: 32/40", "Encoding images: 40/40"], progress);
        Assert.Equal(41, run.Output.TrimEnd('\n').Split('\n').Length); // header + 40 rows
    }

    [Fact]
    public void One_batch_of_images_prints_no_progress()
    {
        for (int i = 0; i < 3; i++) AddImage($"faces/face-{i}.png");
        var run = Classify(Path.Combine(Dir, "faces"));
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Equal("", run.Error);
    }
}
