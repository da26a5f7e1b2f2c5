using ClipSharp.Settings;

namespace ClipSharp.Downloads;

/// <summary>The base URL to download from instead of the release hosts: the one given (<c>--mirror</c>), else the
/// <c>CLIP_MIRROR</c> environment variable; checked to be a well-formed http(s) URL so a bad one is one clear error
/// naming where it came from, not a .NET exception from deep inside the download.</summary>
internal static class DownloadMirror
{
    /// <summary>The mirror to use, or null for the release hosts.</summary>
    public static string? Resolve(string? given)
    {
        string source = given is not null ? "--mirror" : ClipSettings.MirrorVariable;
        string? value = given ?? ClipSettings.Current.Mirror;
        if (value is null) return null;
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || !ModelDownloader.IsWebUrl(uri)
            || uri.Host.Length == 0)
            throw new ClipSharpException($"{source} '{value}' is not a well-formed http or https URL (e.g. " +
                "http://host:8000/clip)");
        return value;
    }
}
