using System.Net;
using System.Text;
using Plotly.NET;

namespace ClipSharp.Notebooks;

/// <summary>A Plotly.NET chart that notebooks display as HTML drawing offline (see <see cref="ChartFormatter"/>).
/// <see cref="Chart"/> is the Plotly.NET object, for further styling with Plotly.NET itself.</summary>
public sealed record Plot(string Title, GenericChart Chart)
{
    /// <summary>The chart with plotly.js inlined: draws on its own, offline.</summary>
    public string ToHtml() => ChartFormatter.ToHtml(Chart);

    /// <summary>The plotly.js figure (<c>{"data": [...], "layout": {...}}</c>): for plotly in other tools, and for
    /// tests.</summary>
    public string ToJson() => GenericChart.toFigureJson(Chart);

    /// <summary>A self-contained page (plotly.js inlined, ~3.6 MB): opens offline in any browser, stays
    /// interactive.</summary>
    public void SaveHtml(string path) =>
        AtomicFile.Write(path, stream => stream.Write(Encoding.UTF8.GetBytes(ToPage())));

    /// <summary>A PNG drawn by plotly.js in a headless Chromium (<c>CLIP_CHROMIUM</c>, else chromium on PATH); a
    /// <see cref="ChartExportException"/> naming the package to install when there is none.</summary>
    public void SavePng(string path, int scale = 2) => HeadlessChromium.Export(this, path, "png", scale);

    /// <summary>An SVG drawn by plotly.js in a headless Chromium, as <see cref="SavePng"/>.</summary>
    public void SaveSvg(string path) => HeadlessChromium.Export(this, path, "svg", 1);

    internal string ToPage(string extraScript = "") =>
        $"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{WebUtility.HtmlEncode(Title)}</title></head>" +
        $"<body style=\"margin:0\">{ToHtml()}{extraScript}</body></html>";
}
