namespace ClipSharp.Downloads;

/// <summary>How far a download has come: bytes received of the total (null when the server does not say).</summary>
public sealed record DownloadProgress(string File, long Received, long? Total)
{
    /// <summary>Progress as a line each 10 % (or each 64 MiB when the size is unknown), so logs and notebook outputs
    /// stay readable. Reports on the calling thread.</summary>
    public static IProgress<DownloadProgress> Lines(TextWriter writer)
    {
        var shown = new Dictionary<string, long>();
        return new LineProgress(p =>
        {
            long step = p.Total is > 0 ? p.Received * 10 / p.Total.Value : p.Received >> 26;
            if (shown.TryGetValue(p.File, out long last) && last == step) return;
            shown[p.File] = step;
            string total = p.Total is long t
                ? $"/{t / 1048576.0:F1} MiB ({p.Received * 100 / Math.Max(t, 1)}%)" : " MiB";
            writer.WriteLine($"Downloading {p.File}: {p.Received / 1048576.0:F1}{total}");
        });
    }

    sealed class LineProgress(Action<DownloadProgress> report) : IProgress<DownloadProgress>
    {
        public void Report(DownloadProgress value) => report(value);
    }
}
