namespace ClipSharp.Tests.Hardening;

/// <summary>A test class with its own folder and its own local <see cref="DownloadTestServer"/> (serving nothing
/// until a test adds routes); the server stops before the folder is deleted.</summary>
public abstract class DownloadServerTest : TempFolderTest
{
    protected DownloadTestServer Server { get; } = new();

    public override void Dispose()
    {
        Server.Dispose();
        base.Dispose();
    }
}
