using System.IO.Compression;
using ClipSharp.Datasets;
using ClipSharp.Evaluation;

namespace ClipSharp.Tests.Datasets;

/// <summary>Hostile archives, crafted at run time: nothing is written outside the target folder, links are never
/// made, and sizes and counts are capped.</summary>
public sealed class SafeZipExtractorTests : TempFolderTest
{
    string Archive => Path.Combine(Dir, "archive.zip");
    string Target => Path.Combine(Dir, "out", "glasses");

    string Write(Action<ZipArchive> fill)
    {
        using (var zip = ZipFile.Open(Archive, ZipArchiveMode.Create)) fill(zip);
        return Archive;
    }

    ExtractionResult Extract(int maxEntries = 100, long maxTotal = 1 << 30) =>
        SafeZipExtractor.Extract(Archive, Target, GlassesDataset.MaxBytesOf, maxEntries, maxTotal);

    [Fact]
    public void Traversal_absolute_and_link_entries_are_skipped_and_nothing_lands_outside()
    {
        string outside = Path.Combine(Path.GetTempPath(), $"clip-abs-{Guid.NewGuid():N}");
        byte[] png = FakeGlassesArchive.Png;
        Write(zip =>
        {
            FakeGlassesArchive.Add(zip, "../evil.png", png);
            FakeGlassesArchive.Add(zip, "../face-9.png", png);
            FakeGlassesArchive.Add(zip, "faces/../../face-8.png", png);
            FakeGlassesArchive.Add(zip, $"{outside}/face-7.png", png);
            FakeGlassesArchive.Add(zip, "C:/face-5.png", png);
            FakeGlassesArchive.AddSymlink(zip, "faces/face-6.png", "/etc/passwd");
            FakeGlassesArchive.Add(zip, "faces/face-1.png", png);
        });
        byte[] archiveBefore = File.ReadAllBytes(Archive);
        var result = Extract();
        Assert.Equal(["face-1.png"], result.Written);
        Assert.Equal(6, result.SkippedCount);
        Assert.Contains(result.Skipped, s => s == "../face-9.png: a '..' in its path");
        Assert.Contains(result.Skipped, s => s == $"{outside}/face-7.png: an absolute path");
        Assert.Contains(result.Skipped, s => s == "faces/face-6.png: a symbolic link");
        Assert.Equal(["face-1.png"], Directory.GetFileSystemEntries(Target).Select(Path.GetFileName));
        Assert.Equal(["archive.zip", "out"], Directory.GetFileSystemEntries(Dir).Select(Path.GetFileName).Order());
        Assert.Equal(["glasses"], Directory.GetFileSystemEntries(Path.Combine(Dir, "out")).Select(Path.GetFileName));
        Assert.False(Directory.Exists(outside));
        Assert.Equal(archiveBefore, File.ReadAllBytes(Archive));
    }

    [Fact]
    public void Only_the_sets_files_are_taken_and_a_second_copy_does_not_overwrite_the_first()
    {
        Write(zip =>
        {
            FakeGlassesArchive.Add(zip, "a/face-1.png", [1]);
            FakeGlassesArchive.Add(zip, "b/face-1.png", [2]);
            FakeGlassesArchive.Add(zip, "notes.txt", [3]);
            FakeGlassesArchive.Add(zip, "face-1.png.exe", [4]);
            FakeGlassesArchive.Add(zip, "x/train.csv", [5]);
        });
        var result = Extract();
        Assert.Equal(["face-1.png", "train.csv"], result.Written);
        Assert.Equal([1], File.ReadAllBytes(Path.Combine(Target, "face-1.png")));
        Assert.Contains("b/face-1.png: a second copy of face-1.png", result.Skipped);
        Assert.Contains("notes.txt: not a file of the data set", result.Skipped);
    }

    [Fact]
    public void An_entry_larger_than_its_cap_is_refused()
    {
        Write(zip => FakeGlassesArchive.Add(zip, "faces/face-1.png", new byte[(64 << 20) + 1]));
        var e = Assert.Throws<DataSetException>(() => Extract());
        Assert.Equal($"Archive '{Archive}': entry 'faces/face-1.png' declares {(64 << 20) + 1} bytes, more than the " +
            $"{64 << 20} allowed for it", e.Message);
    }

    [Fact]
    public void The_total_unpacked_is_capped()
    {
        Write(zip =>
        {
            for (int i = 1; i <= 4; i++) FakeGlassesArchive.Add(zip, $"face-{i}.png", new byte[1000]);
        });
        var e = Assert.Throws<DataSetException>(() => Extract(maxTotal: 2500));
        Assert.Equal($"Archive '{Archive}' inflates past the total allowed; stopped at 'face-3.png'", e.Message);
    }

    [Fact]
    public void Too_many_entries_are_refused_before_any_is_written()
    {
        Write(zip =>
        {
            for (int i = 1; i <= 11; i++) FakeGlassesArchive.Add(zip, $"face-{i}.png", [1]);
        });
        var e = Assert.Throws<DataSetException>(() => Extract(maxEntries: 10));
        Assert.Equal($"Archive '{Archive}' has 11 entries, more than the 10 allowed", e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(Target));
    }

    [Fact]
    public void A_truncated_archive_is_an_error_naming_it()
    {
        File.WriteAllBytes(Archive, FakeGlassesArchive.Build(rows: 3, images: 3)[..^100]);
        var e = Assert.Throws<DataSetException>(() => Extract());
        Assert.StartsWith($"Archive '{Archive}' is damaged or incomplete: ", e.Message);
    }
}
