namespace ClipSharp.Tests.Hardening;

/// <summary>A test class with its own folder and its own local <see cref="DownloadTestServer"/> (serving nothing
/// until a test adds routes); the environment variables a test sets are cleared, then the server stops, then the
/// folder is deleted.</summary>
public abstract class DownloadServerTest : TempFolderTest
{
    readonly HashSet<string> variablesSet = [];

    protected DownloadTestServer Server { get; } = new();

    /// <summary>Sets an environment variable for this test only: it is cleared when the test ends. Tests that set
    /// one belong to the <see cref="DownloadEnvironmentCollection"/>, so no other test sees it.</summary>
    protected void SetEnvironment(string name, string? value)
    {
        variablesSet.Add(name);
        Environment.SetEnvironmentVariable(name, value);
    }

    public override void Dispose()
    {
        foreach (var name in variablesSet) Environment.SetEnvironmentVariable(name, null);
        Server.Dispose();
        base.Dispose();
    }
}
