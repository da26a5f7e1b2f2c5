using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using ClipSharp.Settings;

namespace ClipSharp.Notebooks;

/// <summary>Turns a chart into PNG or SVG with plotly.js's own <c>Plotly.toImage</c>, run in a headless Chromium on a
/// local page (no network): the picture is exactly what the notebook draws.</summary>
public static partial class HeadlessChromium
{
    const string Install =
        "install the 'chromium' package (Debian/Ubuntu: sudo apt-get install chromium; macOS: brew " +
        "install --cask chromium) or set CLIP_CHROMIUM to a Chrome or Chromium executable";
    static readonly string[] Names = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];
    static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    /// <summary><c>CLIP_CHROMIUM</c> when set (null if no such file), else the first of chromium, chromium-browser,
    /// google-chrome on PATH; null when there is none.</summary>
    public static string? Executable()
    {
        var settings = ClipSettings.Current;
        if (settings.Chromium is { } given) return File.Exists(given) ? given : null;
        var folders = settings.SearchPath;
        return Names.SelectMany(name => folders.Select(folder => Path.Combine(folder, name)))
            .FirstOrDefault(File.Exists);
    }

    internal static void Export(Plot plot, string path, string format, int scale)
    {
        string chromium = Executable() ?? throw new ChartExportException(
            $"Saving '{Path.GetFullPath(path)}' as {format.ToUpperInvariant()} needs a headless Chromium and none " +
            $"was found ({Looked()}): {Install}. Plot.SaveHtml needs no browser.");
        string work = Path.Combine(Path.GetTempPath(), $"clipsharp-export-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        try
        {
            string page = Path.Combine(work, "chart.html");
            File.WriteAllText(page, plot.ToPage(ExportScript(format, scale)));
            string dom = Run(chromium, [.. Arguments(work), "--dump-dom", new Uri(page).AbsoluteUri], path);
            var match = ExportResult().Match(dom);
            if (!match.Success)
                throw new ChartExportException(
                    $"Saving '{Path.GetFullPath(path)}': Chromium ({chromium}) drew no {format} " +
                    $"(its page ended: {Tail(dom)})");
            string result = WebUtility.HtmlDecode(match.Groups[1].Value);
            if (result.StartsWith("error:", StringComparison.Ordinal))
                throw new ChartExportException(
                    $"Saving '{Path.GetFullPath(path)}': plotly.js failed in Chromium: {result[6..].Trim()}");
            byte[] bytes = Decode(result, format, path);
            AtomicFile.Write(path, stream => stream.Write(bytes));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    static string Looked() => ClipSettings.Current.Chromium is { } given
        ? $"CLIP_CHROMIUM is '{given}', which does not exist"
        : $"no {string.Join(", ", Names)} on PATH";

    static string[] Arguments(string work) =>
        ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
         $"--user-data-dir={Path.Combine(work, "profile")}", "--virtual-time-budget=20000"];

    /// <summary>Waits for the chart, asks plotly.js for the image and leaves it (a data URL) in a pre
    /// element.</summary>
    static string ExportScript(string format, int scale) =>
        "<pre id=\"clipsharp-export\"></pre><script>(function wait() { " +
        "var gd = document.querySelector('.js-plotly-plot'); " +
        "if (typeof Plotly === 'undefined' || !gd || !gd._fullLayout) return setTimeout(wait, 50); " +
        $"Plotly.toImage(gd, {{ format: '{format}', scale: {scale} }}).then(" +
        "function (url) { document.getElementById('clipsharp-export').textContent = url; }, " +
        "function (e) { document.getElementById('clipsharp-export').textContent = 'error: ' + e; }); })();</script>";

    static byte[] Decode(string dataUrl, string format, string path)
    {
        int comma = dataUrl.IndexOf(',');
        string header = comma < 0 ? "" : dataUrl[..comma], body = comma < 0 ? "" : dataUrl[(comma + 1)..];
        if (format == "png" && header == "data:image/png;base64") return Convert.FromBase64String(body);
        if (format == "svg" && header.StartsWith("data:image/svg+xml", StringComparison.Ordinal))
            return System.Text.Encoding.UTF8.GetBytes(Uri.UnescapeDataString(body));
        throw new ChartExportException(
            $"Saving '{Path.GetFullPath(path)}': plotly.js returned '{Tail(header)}', not a {format}");
    }

    static string Run(string chromium, IReadOnlyList<string> arguments, string path)
    {
        var start = new ProcessStartInfo(chromium) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        Process process;
        try { process = Process.Start(start)!; }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new ChartExportException(
                $"Saving '{Path.GetFullPath(path)}': cannot start '{chromium}' ({e.Message}); {Install}", e);
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(Timeout))
            {
                process.Kill(entireProcessTree: true);
                throw new ChartExportException(
                    $"Saving '{Path.GetFullPath(path)}': Chromium did not finish in {Timeout.TotalSeconds:F0} s");
            }
            if (process.ExitCode != 0)
                throw new ChartExportException(
                    $"Saving '{Path.GetFullPath(path)}': Chromium exited with {process.ExitCode}: " +
                    Tail(stderr.Result));
            return stdout.Result;
        }
    }

    static string Tail(string text) => text.Length <= 300 ? text.Trim() : "…" + text[^300..].Trim();

    [GeneratedRegex("<pre id=\"clipsharp-export\">([^<]+)</pre>")]
    private static partial Regex ExportResult();
}
