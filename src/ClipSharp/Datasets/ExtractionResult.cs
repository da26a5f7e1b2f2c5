namespace ClipSharp.Datasets;

/// <summary>What <see cref="SafeZipExtractor"/> did: the files written (flat names) and the entries it left out, each
/// with the reason (only the first few are kept; <see cref="SkippedCount"/> has them all).</summary>
public sealed record ExtractionResult(IReadOnlyList<string> Written, IReadOnlyList<string> Skipped, int SkippedCount);
