namespace ClipSharp.Loading;

/// <summary>A registered file in place and verified: downloaded now, or found and re-hashed.</summary>
public sealed record FetchedFile(string Path, string Sha256, bool Downloaded);
