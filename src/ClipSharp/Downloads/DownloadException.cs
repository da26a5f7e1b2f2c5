using System.Net;

namespace ClipSharp.Downloads;

/// <summary>A download that failed or was refused (HTTP error, stall, size over the cap, wrong hash, truncation); the
/// message names the file and the URL, and nothing is left under the file's name.</summary>
public sealed class DownloadException(string message, Exception? inner = null, HttpStatusCode? status = null)
    : ClipSharpException(message, inner)
{
    /// <summary>The HTTP status when the server answered with an error (401/403 call for credentials).</summary>
    public HttpStatusCode? StatusCode { get; } = status;
}
