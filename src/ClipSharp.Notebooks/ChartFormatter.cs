using System.IO.Compression;
using System.Text.RegularExpressions;
using Microsoft.FSharp.Core;
using Plotly.NET;

namespace ClipSharp.Notebooks;

/// <summary>Shows Plotly.NET charts as HTML that draws offline: plotly.js comes from the copy embedded in
/// Plotly.NET.dll, never from a CDN. <see cref="ToHtml"/> is self-contained (a saved page, a test); <see
/// cref="ToNotebookHtml"/> sends plotly.js (3.6 MB, gzipped to ~1.4 MB of base64) only with the first chart of a kernel
/// session, because every output of a notebook is drawn in one page (VS Code, Jupyter) and later charts find it
/// there.</summary>
public static partial class ChartFormatter
{
    const string PlotlyResource = "Plotly.NET.plotly-2.28.0.min.js";
    static readonly Lazy<string> plotlyJs = new(ReadPlotlyJs);
    static readonly Lazy<string> gzippedPlotlyJs = new(() => Gzip(plotlyJs.Value));
    static bool sentThisSession;

    /// <summary>The message a chart shows in place of itself when the page has no plotly.js.</summary>
    public const string MissingPlotlyMessage = "This chart is not drawn: plotly.js is not loaded in this page. " +
        "ClipSharp sends plotly.js once per kernel session, with the first chart, and that chart's output was " +
        "cleared or is not shown. " +
        "Restart the kernel and run all cells, or run ChartFormatter.ResendPlotlyJs(); and re-run this cell.";

    /// <summary>The chart with plotly.js inlined (plain text, so any browser draws it): a page of its own.</summary>
    public static string ToHtml(GenericChart chart) => PlainPlotlyJs() + Guarded(chart);

    /// <summary>The chart as a notebook output: the first of a kernel session carries plotly.js, later ones use
    /// it.</summary>
    public static string ToNotebookHtml(GenericChart chart)
    {
        string carrier = sentThisSession ? "" : PackedPlotlyJs();
        sentThisSession = true;
        return carrier + Guarded(chart);
    }

    /// <summary>Makes the next notebook chart carry plotly.js again (after its first carrier's output was
    /// cleared).</summary>
    public static void ResendPlotlyJs() => sentThisSession = false;

    /// <summary>plotly.js as a UMD bundle: where an AMD loader is present (require.js, which other kernel extensions
    /// inject) it would register as a module instead of the global Plotly the figure calls. Hiding
    /// define/module/exports keeps it global.</summary>
    static string PlainPlotlyJs() => "<script type=\"text/javascript\">if (typeof Plotly === 'undefined') " +
        "{ (function (define, module, exports) {\n" + plotlyJs.Value + "\n}).call(self); " + DrawPending +
        " }</script>\n";

    /// <summary>plotly.js gzipped in base64, unpacked by the browser's DecompressionStream into a script element
    /// (inline scripts are what notebook viewers allow; eval may not be). window.clipSharpPlotly is the promise later
    /// charts wait on. </summary>
    static string PackedPlotlyJs() =>
        "<script type=\"text/javascript\">if (typeof Plotly === 'undefined' && !window.clipSharpPlotly) " +
        "window.clipSharpPlotly = (async function () {\n" +
        "  if (typeof DecompressionStream === 'undefined') throw new Error('this viewer cannot unpack the embedded " +
        "plotly.js (it has no DecompressionStream)');\n" +
        "  var packed = atob('" + gzippedPlotlyJs.Value + "');\n" +
        "  var bytes = Uint8Array.from(packed, function (c) { return c.charCodeAt(0); });\n" +
        "  var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));\n" +
        "  var text = await new Response(stream).text();\n" +
        "  var script = document.createElement('script');\n" +
        "  script.text = '(function (define, module, exports) {\\n' + text + '\\n}).call(self);';\n" +
        "  document.head.appendChild(script);\n" +
        "  " + DrawPending + "\n" +
        "  return Plotly;\n" +
        "})();</script>\n";

    /// <summary>Plotly.NET's div and figure script, its immediate call replaced by one that draws once plotly.js is
    /// there (now, or when the session's first chart has unpacked it) and otherwise says so in the chart's
    /// place.</summary>
    static string Guarded(GenericChart chart)
    {
        var noReference = DisplayOptions.init(null, null, null, null, null, null,
            FSharpOption<PlotlyJSReference>.Some(PlotlyJSReference.NoReference));
        string figure = GenericChart.toChartHTML(GenericChart.setDisplayOptions(noReference, chart));
        var render = RenderFunction().Match(figure);
        var div = DivId().Match(figure);
        if (!render.Success || !div.Success)
            throw new InvalidOperationException(
                $"Plotly.NET's chart HTML changed shape; update {nameof(ChartFormatter)}");
        string name = render.Groups[1].Value;
        int call = figure.LastIndexOf(name + "();", StringComparison.Ordinal);
        string message = MissingPlotlyMessage.Replace("'", "\\'", StringComparison.Ordinal);
        string guard = GuardScript.Replace("RENDER", name, StringComparison.Ordinal)
            .Replace("DIV_ID", div.Groups[1].Value, StringComparison.Ordinal)
            .Replace("MESSAGE", message, StringComparison.Ordinal);
        return figure[..call] + guard + figure[(call + name.Length + 3)..];
    }

    /// <summary>Draws now if plotly.js is there, or when the session's first chart has unpacked it; else, after 3 s,
    /// shows the message in the chart's place and queues the drawing in case plotly.js arrives later (a viewer that
    /// renders outputs out of order).</summary>
    const string GuardScript = """
        (function (render, id) {
          var waited = 0, div = document.getElementById(id);
          function show(text) {
            if (!div) return;
            div.textContent = text;
            div.style.cssText = 'padding:8px;border:1px solid #d9534f;color:#a94442;font:13px sans-serif';
          }
          function draw() {
            if (div && div.textContent) { div.textContent = ''; div.style.cssText = ''; }
            render();
          }
          function attempt() {
            if (typeof Plotly !== 'undefined') return draw();
            if (window.clipSharpPlotly) return window.clipSharpPlotly.then(draw,
              function (e) { show('This chart is not drawn: ' + e.message); });
            if ((waited += 100) <= 3000) return setTimeout(attempt, 100);
            show('MESSAGE');
            (window.clipSharpPending = window.clipSharpPending || []).push(draw);
          }
          attempt();
        })(RENDER, 'DIV_ID');
        """;

    /// <summary>Draws the charts that gave up waiting, once plotly.js is there.</summary>
    const string DrawPending = "(window.clipSharpPending || []).splice(0).forEach(function (draw) { draw(); });";

    [GeneratedRegex(@"var (renderPlotly_\w+) = function")]
    private static partial Regex RenderFunction();

    [GeneratedRegex("<div id=\"([^\"]+)\"")]
    private static partial Regex DivId();

    static string ReadPlotlyJs()
    {
        using var stream = typeof(GenericChart).Assembly.GetManifestResourceStream(PlotlyResource)
            ?? throw new InvalidOperationException(
                $"Plotly.NET.dll no longer embeds {PlotlyResource}; update {nameof(ChartFormatter)}");
        return new StreamReader(stream).ReadToEnd();
    }

    static string Gzip(string text)
    {
        using var packed = new MemoryStream();
        using (var gzip = new GZipStream(packed, CompressionLevel.SmallestSize))
            gzip.Write(System.Text.Encoding.UTF8.GetBytes(text));
        return Convert.ToBase64String(packed.ToArray());
    }
}
