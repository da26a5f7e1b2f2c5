using static ClipSharp.Tests.Hardening.OutputTestFiles;

namespace ClipSharp.Tests.Hardening;

/// <summary>AtomicFile and OutputPath: only regular files are written, never an input, and dead writers' temporary
/// files do not pile up.</summary>
public class OutputPathTests : TempFolderTest
{
    static void Writes(string path) => AtomicFile.WriteAllText(path, "new content");

    [Fact]
    public void Dev_null_is_refused_and_stays_a_character_device()
    {
        var e = Assert.Throws<OutputPathException>(() => Writes("/dev/null"));
        Assert.Contains("'/dev/null'", e.Message);
        Assert.Contains("character device", e.Message);
        Assert.Equal("character special file", StatKind("/dev/null"));
        Assert.Equal(FileKind.CharacterDevice, FileStatus.OfEntry("/dev/null").Kind);
    }

    [Fact]
    public async Task A_fifo_is_refused_without_opening_it()
    {
        string fifo = Path.Combine(Dir, "pipe.csv");
        MakeFifo(fifo);
        var write = Task.Run(() => Writes(fifo)); // opening a FIFO would block: a hang fails the wait below
        var finished = await Task.WhenAny(write, Task.Delay(TimeSpan.FromSeconds(30)));
        Assert.True(finished == write, "writing over a FIFO hung");
        var e = await Assert.ThrowsAsync<OutputPathException>(() => write);
        Assert.Contains(fifo, e.Message);
        Assert.Contains("FIFO", e.Message);
        Assert.Equal("fifo", StatKind(fifo));
    }

    [Fact]
    public void A_directory_is_refused_and_keeps_its_files()
    {
        string folder = Path.Combine(Dir, "results.csv");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "keep.txt"), "keep");
        var e = Assert.Throws<OutputPathException>(() => Writes(folder));
        Assert.Contains(folder, e.Message);
        Assert.Contains("directory", e.Message);
        Assert.Equal("keep", File.ReadAllText(Path.Combine(folder, "keep.txt")));
        var slash = Assert.Throws<OutputPathException>(() => Writes(Path.Combine(Dir, "new") + "/"));
        Assert.Contains("names a folder", slash.Message);
    }

    [Fact]
    public void A_symbolic_link_is_neither_followed_nor_replaced()
    {
        string target = Path.Combine(Dir, "target.txt"), link = Path.Combine(Dir, "link.txt");
        File.WriteAllText(target, "original");
        File.CreateSymbolicLink(link, target);
        string dangling = Path.Combine(Dir, "dangling.txt");
        File.CreateSymbolicLink(dangling, Path.Combine(Dir, "nowhere.txt"));

        var e = Assert.Throws<OutputPathException>(() => Writes(link));
        Assert.Contains(link, e.Message);
        Assert.Contains("symbolic link", e.Message);
        Assert.Throws<OutputPathException>(() => Writes(dangling));
        Assert.Equal("original", File.ReadAllText(target));
        Assert.Equal("symbolic link", StatKind(link));
        Assert.False(File.Exists(Path.Combine(Dir, "nowhere.txt")));
    }

    [Fact]
    public void A_regular_file_is_replaced_whole_and_leaves_no_temporary_file()
    {
        string file = Path.Combine(Dir, "sub", "out.txt");
        Writes(file);
        File.WriteAllText(file, "old");
        Writes(file);
        Assert.Equal("new content", File.ReadAllText(file));
        Assert.Equal(["out.txt"], Directory.GetFiles(Path.GetDirectoryName(file)!).Select(Path.GetFileName));
    }

    [Fact]
    public void The_same_file_as_an_input_is_refused_by_any_spelling()
    {
        string input = Path.Combine(Dir, "x.safetensors");
        File.WriteAllText(input, "input");
        Directory.CreateDirectory(Path.Combine(Dir, "a"));
        string link = Path.Combine(Dir, "link.safetensors"), hard = Path.Combine(Dir, "hard.safetensors");
        File.CreateSymbolicLink(link, input);
        MakeHardLink(input, hard);
        string[] spellings = [input, Path.Combine(Dir, ".", "x.safetensors"),
            Path.Combine(Dir, "a", "..", "x.safetensors"), Path.Combine(Dir, "missing", "..", "x.safetensors"), hard];
        foreach (var output in spellings)
        {
            var e = Assert.Throws<OutputPathException>(() => OutputPath.Check(output, [null, input]));
            Assert.Contains(output, e.Message);
            Assert.Contains("input", e.Message);
        }
        // The input named through a link, the output by its real path.
        Assert.Throws<OutputPathException>(() => OutputPath.Check(input, [link]));
        Assert.Equal("input", File.ReadAllText(input));
        OutputPath.Check(Path.Combine(Dir, "y.safetensors"), [input, link, hard]); // another file is fine
    }

    [Fact]
    public void Temporary_files_of_dead_writers_are_deleted_and_others_are_kept()
    {
        string output = Path.Combine(Dir, "model.safetensors");
        string dead = $"{output}.{DeadPid()}.{Guid.NewGuid():N}.partial";
        string deadButLocked = $"{output}.{DeadPid()}.{Guid.NewGuid():N}.partial";
        string alive = $"{output}.{Environment.ProcessId}.{Guid.NewGuid():N}.partial";
        string otherName = $"{output}.backup.partial";
        string otherFile = Path.Combine(Dir, $"other.safetensors.{DeadPid()}.{Guid.NewGuid():N}.partial");
        foreach (var f in new[] { dead, deadButLocked, alive, otherName, otherFile })
            File.WriteAllBytes(f, new byte[1000]);

        // deadButLocked: a writer still at work holds its lock (the pid alone could have been reused)
        using (new FileStream(deadButLocked, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
            Writes(output);

        Assert.False(File.Exists(dead), "a dead process's .partial file survived");
        Assert.True(File.Exists(deadButLocked), "a locked .partial file was deleted");
        Assert.True(File.Exists(alive), "a live process's .partial file was deleted");
        Assert.True(File.Exists(otherName) && File.Exists(otherFile), "an unrelated file was deleted");
        Assert.Equal("new content", File.ReadAllText(output));
    }

    [Fact]
    public void A_failed_write_leaves_the_old_file_and_no_temporary_file()
    {
        string output = Path.Combine(Dir, "out.csv");
        File.WriteAllText(output, "old");
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(output, stream =>
        {
            stream.Write(new byte[100]);
            throw new InvalidOperationException("killed half way");
        }));
        Assert.Equal("old", File.ReadAllText(output));
        Assert.Equal([output], Directory.GetFiles(Dir));
    }
}
