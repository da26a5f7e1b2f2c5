using ClipSharp.Imaging;

namespace ClipSharp.Tests.Hardening;

/// <summary>Only regular files of bounded size are read as images: a FIFO, a device or a directory is refused by
/// name before it is opened (a FIFO would block, a device never end).</summary>
public class ImageFileTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("clip-file-").FullName;
    public void Dispose() => Directory.Delete(dir, true);

    [Fact]
    public void A_fifo_named_like_an_image_is_refused_without_blocking()
    {
        string fifo = ImageSamples.Fifo(dir, "x.png");
        var read = Task.Run(() => Assert.Throws<ImageException>(() => ImageLoader.ReadFile(fifo)));
        Assert.True(read.Wait(TimeSpan.FromSeconds(20)), "reading a FIFO blocked");
        Assert.Equal($"Image '{fifo}' is a FIFO (named pipe), not a regular file", read.Result.Message);
        var e = Assert.Throws<ImageException>(() => new ClipPreprocessor(224).Pixels(fifo));
        Assert.StartsWith($"Image '{fifo}' is a FIFO", e.Message);
    }

    [Fact]
    public void A_device_is_refused()
    {
        var e = Assert.Throws<ImageException>(() => ImageLoader.ReadFile("/dev/zero"));
        Assert.Equal("Image '/dev/zero' is a character device, not a regular file", e.Message);
    }

    [Fact]
    public void A_directory_is_refused()
    {
        string sub = Directory.CreateDirectory(Path.Combine(dir, "folder.png")).FullName;
        var e = Assert.Throws<ImageException>(() => ImageLoader.ReadFile(sub));
        Assert.Equal($"Image '{sub}' is a directory, not a file", e.Message);
    }

    [Fact]
    public void A_file_over_the_byte_limit_is_refused_naming_the_limit()
    {
        string big = ImageSamples.Write(dir, "big.png", new byte[5000]);
        var e = Assert.Throws<ImageException>(() => ImageLoader.ReadFile(big, maxBytes: 4096));
        Assert.Equal($"Image '{big}' is 5,000 bytes, over the limit of 4,096 bytes", e.Message);
        Assert.Equal(5000, new FileInfo(big).Length); // untouched
        Assert.Equal(5000, ImageLoader.ReadFile(big).Length); // the default limit (128 MiB) lets it through
        Assert.Equal(128L << 20, ImageLoader.MaxFileBytes);
    }

    [Fact]
    public void A_sparse_file_over_the_default_limit_is_refused_before_reading()
    {
        string big = Path.Combine(dir, "sparse.png");
        using (var f = File.Create(big)) f.SetLength(ImageLoader.MaxFileBytes + 1);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<ImageException>(() => new ClipPreprocessor(224).Pixels(big));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20, "the file was read");
        Assert.Equal($"Image '{big}' is 134,217,729 bytes, over the limit of 134,217,728 bytes", e.Message);
    }

    [Fact]
    public void An_empty_file_is_refused()
    {
        string empty = ImageSamples.Write(dir, "empty.jpg", []);
        var e = Assert.Throws<ImageException>(() => ImageLoader.Load(empty));
        Assert.Equal($"Image '{empty}' is empty", e.Message);
    }
}
