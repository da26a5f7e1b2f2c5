using ClipSharp.Cli.Benchmarking;

namespace ClipSharp.Tests.Cli;

/// <summary>The bench's synthetic set grows as runs ask for more images and never shrinks for a smaller run (a
/// test's four images must not cut the developer's hundred-row labels.csv).</summary>
public sealed class SyntheticImagesTests : TempFolderTest
{
    int LabelRows() => File.ReadAllLines(Path.Combine(Dir, "labels.csv")).Length - 1;

    [Fact]
    public void A_smaller_run_keeps_the_longer_labels_and_a_larger_one_extends_them()
    {
        SyntheticImages.Ensure(Dir, 3);
        Assert.Equal(3, LabelRows());
        SyntheticImages.Ensure(Dir, 2);
        Assert.Equal(3, LabelRows());
        SyntheticImages.Ensure(Dir, 4);
        Assert.Equal(4, LabelRows());
        Assert.Equal(4, Directory.GetFiles(Dir, "synthetic-*.png").Length);
    }
}
