namespace ClipSharp.Checkpoints;

/// <summary>How far a download has come: bytes received of the total (null when the server does not say).</summary>
public sealed record DownloadProgress(string File, long Received, long? Total);
