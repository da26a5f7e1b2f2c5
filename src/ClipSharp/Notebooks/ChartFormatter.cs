using Microsoft.FSharp.Core;
using Plotly.NET;

namespace ClipSharp.Notebooks;

/// <summary>Shows Plotly.NET charts as self-contained HTML: plotly.js comes from the copy embedded in Plotly.NET.dll,
/// not from a CDN, so charts draw offline and in any output viewer (VS Code, exported .ipynb, a browser).</summary>
public static class ChartFormatter
{
    const string PlotlyResource = "Plotly.NET.plotly-2.28.0.min.js";
    static readonly Lazy<string> plotlyJs = new(ReadPlotlyJs);

    /// <summary>The chart's div and script, with plotly.js loaded first unless the page already has it.</summary>
    public static string ToHtml(GenericChart chart)
    {
        var noReference = DisplayOptions.init(null, null, null, null, null, null, FSharpOption<PlotlyJSReference>.Some(PlotlyJSReference.NoReference));
        string figure = GenericChart.toChartHTML(GenericChart.setDisplayOptions(noReference, chart));
        // plotly.js is a UMD bundle: where an AMD loader is present (require.js, which other kernel extensions inject) it
        // would register as a module instead of the global Plotly the figure calls. Hiding define/module/exports keeps it global.
        return "<script type=\"text/javascript\">if (typeof Plotly === 'undefined') { (function (define, module, exports) {\n" +
            plotlyJs.Value + "\n}).call(self); }</script>\n" + figure;
    }

    static string ReadPlotlyJs()
    {
        using var stream = typeof(GenericChart).Assembly.GetManifestResourceStream(PlotlyResource)
            ?? throw new InvalidOperationException($"Plotly.NET.dll no longer embeds {PlotlyResource}; update {nameof(ChartFormatter)}");
        return new StreamReader(stream).ReadToEnd();
    }
}
