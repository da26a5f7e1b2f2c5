namespace ClipSharp.Loading;

/// <summary>A released checkpoint: its name, file, SHA-256 (the hash is also the folder in its URL), and the most bytes
/// the file may have (a download is cut off past that).</summary>
public sealed record RegisteredModel(string Name, string Sha256, string File, int ImageResolution, long MaxBytes)
{
    public Uri Url(string? mirror = null) =>
        new($"{(mirror ?? ModelRegistry.ReleaseHost).TrimEnd('/')}/{Sha256}/{File}");
}
