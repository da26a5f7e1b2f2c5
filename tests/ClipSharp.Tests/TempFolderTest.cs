namespace ClipSharp.Tests;

/// <summary>A test class with a fresh folder of its own: xunit makes one instance per test, so each test gets an empty
/// folder, deleted with all it holds when the test ends. Named after the class, so a leftover says whose it is.
/// </summary>
public abstract class TempFolderTest : IDisposable
{
    /// <summary>The test's folder, under the system temp folder.</summary>
    protected string Dir { get; }

    protected TempFolderTest() => Dir = Directory.CreateTempSubdirectory($"clip-{GetType().Name}-").FullName;

    /// <summary>A copy of a reference face (<c>face-127.png</c>) at <paramref name="name"/> under <see cref="Dir"/>,
    /// its folders made as needed; returns its path.</summary>
    protected string AddImage(string name)
    {
        string path = Path.Combine(Dir, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.Copy(Path.Combine(Reference.Images, "face-127.png"), path, overwrite: true);
        return path;
    }

    /// <summary>Deletes <see cref="Dir"/>; an override releases what uses the folder first, then calls this.</summary>
    public virtual void Dispose()
    {
        Directory.Delete(Dir, recursive: true);
        GC.SuppressFinalize(this);
    }
}
