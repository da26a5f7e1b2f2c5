namespace ClipSharp.Tests.Cli;

/// <summary><c>clip preprocess</c> of many images says how far it is, in increasing counts.</summary>
public class PreprocessProgressTests : TempFolderTest
{
    [Fact]
    public void Forty_images_report_increasing_counts_up_to_all_of_them()
    {
        for (int i = 0; i < 40; i++) AddImage($"faces/face-{i:D2}.png");
        string output = Path.Combine(Dir, "pixels.safetensors");
        var run = CliRunner.Run("preprocess", Path.Combine(Dir, "faces"), "-o", output);
        Assert.True(run.ExitCode == 0, run.Error);
        var counts = run.Error.TrimEnd('\n').Split('\n')
            .Select(line => int.Parse(line.Replace("Preprocessing: ", "").Split('/')[0])).ToList();
        Assert.True(counts.Count >= 10, run.Error); // a line every 10 %
        Assert.Equal(counts.Order(), counts);
        Assert.Equal(40, counts[^1]);
        Assert.True(File.Exists(output));
    }
}
