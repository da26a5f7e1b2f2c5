namespace ClipSharp.Datasets;

/// <summary>The outcome of <see cref="KaggleDownloader.DownloadAsync"/>: the verified folder, what unpacking left out
/// (null when nothing was downloaded) and whether it was downloaded now.</summary>
public sealed record GlassesFetch(GlassesSummary Summary, ExtractionResult? Extraction, bool Downloaded);
