namespace ClipSharp.Tests.Hardening;

/// <summary>Tests that set process-wide environment variables (CLIP_WEIGHTS, CLIP_DOWNLOAD_TIMEOUT) run in this
/// collection: alone, after the parallel ones, so no other test sees their settings.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DownloadEnvironmentCollection
{
    public const string Name = "Download environment";
}
