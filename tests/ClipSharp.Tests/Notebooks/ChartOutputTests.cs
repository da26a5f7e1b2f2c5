using System.Text.RegularExpressions;
using ClipSharp.Notebooks;
using ClipSharp.Tests.Cli;

namespace ClipSharp.Tests.Notebooks;

/// <summary>Charts leave the notebook light and can leave it as files: plotly.js goes out once per kernel session and
/// later charts find it in the page (or say how to get it drawn); a chart saves as a self-contained page, and as PNG or
/// SVG through headless Chromium; <c>clip evaluate --plots</c> writes the evaluation's charts. One class, so the tests
/// that move the session flag or CLIP_CHROMIUM never run at the same time.</summary>
public class ChartOutputTests
{
    const string NeedsChromium = "install chromium to run the 6 chart-rendering tests of ChartOutputTests";
    static bool NoChromium => NotebookRunner.Chromium is null && Environment.GetEnvironmentVariable("CI") != "true";

    static Plot Sample(string title) => Plots.Histograms(title, "x", [("a", [1.0, 2, 2, 3]), ("b", [2.0, 3, 3, 4])]);

    [Fact]
    public void Only_the_first_chart_of_a_session_carries_plotly_js_and_it_is_packed_small()
    {
        ChartFormatter.ResendPlotlyJs();
        string first = ChartFormatter.ToNotebookHtml(Sample("one").Chart);
        string second = ChartFormatter.ToNotebookHtml(Sample("two").Chart);
        Assert.Contains("window.clipSharpPlotly = (async function", first);
        Assert.DoesNotContain("clipSharpPlotly = ", second);
        Assert.True(first.Length < 1_700_000, $"the first chart is {first.Length:N0} characters");
        Assert.True(second.Length < 20_000, $"a later chart is {second.Length:N0} characters");
        Assert.DoesNotContain("<script src=", first + second); // nothing from a CDN
        ChartFormatter.ResendPlotlyJs();
        string third = ChartFormatter.ToNotebookHtml(Sample("three").Chart);
        Assert.Contains("window.clipSharpPlotly = (async function", third);
    }

    [SkippableFact]
    public void Charts_of_one_session_all_draw_offline_in_one_page_beside_an_AMD_loader()
    {
        Skip.If(NoChromium, NeedsChromium);
        ChartFormatter.ResendPlotlyJs();
        string page = "<script>window.define = function () {}; window.define.amd = {};</script>" +
            string.Concat(Enumerable.Range(1, 3).Select(i => ChartFormatter.ToNotebookHtml(Sample($"#{i}").Chart)));
        string dom = NotebookRunner.RenderInBrowser(page);
        Assert.Equal(3, Regex.Matches(dom, "class=\"plot-container plotly\"").Count); // plotly.js drew each chart
        Assert.DoesNotContain(">This chart is not drawn", dom); // no message in a chart's place
    }

    [SkippableFact]
    public void A_later_chart_without_the_first_says_how_to_get_it_drawn()
    {
        Skip.If(NoChromium, NeedsChromium);
        ChartFormatter.ResendPlotlyJs();
        _ = ChartFormatter.ToNotebookHtml(Sample("cleared").Chart); // its output was cleared
        string dom = NotebookRunner.RenderInBrowser(ChartFormatter.ToNotebookHtml(Sample("later").Chart));
        Assert.DoesNotContain("class=\"main-svg\"", dom);
        Assert.Contains(">This chart is not drawn: plotly.js is not loaded in this page", dom);
        Assert.Contains("ChartFormatter.ResendPlotlyJs()", dom);
    }

    /// <summary>A viewer may render outputs out of order: a chart that gave up waiting draws when plotly.js
    /// arrives.</summary>
    [SkippableFact]
    public void A_chart_shown_before_plotly_js_arrives_draws_when_it_does()
    {
        Skip.If(NoChromium, NeedsChromium);
        ChartFormatter.ResendPlotlyJs();
        string first = ChartFormatter.ToNotebookHtml(Sample("first").Chart);
        string later = ChartFormatter.ToNotebookHtml(Sample("later").Chart);
        string carrier = Regex.Match(first, "<script type=\"text/javascript\">(if \\(typeof Plotly.*?)</script>",
            RegexOptions.Singleline).Groups[1].Value;
        Assert.Contains("clipSharpPlotly", carrier);
        // The later chart first, then plotly.js 3.5 s on: after the later chart gave up waiting and showed its message.
        string page = later + "<script>setTimeout(function () { var s = document.createElement('script'); " +
            $"s.text = {System.Text.Json.JsonSerializer.Serialize(carrier)}; document.body.appendChild(s); }}, " +
            "3500);</script>";
        string dom = NotebookRunner.RenderInBrowser(page, virtualMilliseconds: 15000);
        Assert.Equal(1, Regex.Matches(dom, "class=\"plot-container plotly\"").Count);
        Assert.DoesNotContain(">This chart is not drawn", dom);
    }

    [Fact]
    public void A_saved_html_page_is_self_contained()
    {
        string folder = TempFolder();
        try
        {
            string path = Path.Combine(folder, "chart.html");
            Sample("saved <page>").SaveHtml(path);
            string html = File.ReadAllText(path);
            Assert.StartsWith("<!DOCTYPE html>", html);
            Assert.Contains("<title>saved &lt;page&gt;</title>", html);
            Assert.Contains("plotly.js v2.28.0", html); // inlined, readable by any browser
            Assert.DoesNotContain("<script src=", html);
            Assert.Single(Directory.GetFiles(folder)); // written atomically: no leftovers
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    [SkippableFact]
    public void A_saved_html_page_draws_offline()
    {
        Skip.If(NoChromium, NeedsChromium);
        string folder = TempFolder();
        try
        {
            string path = Path.Combine(folder, "chart.html");
            Sample("saved").SaveHtml(path);
            string body = Regex.Match(File.ReadAllText(path), "<body[^>]*>(.*)</body>", RegexOptions.Singleline)
                .Groups[1].Value;
            Assert.Contains("class=\"main-svg\"", NotebookRunner.RenderInBrowser(body));
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    [SkippableFact]
    public void A_chart_saves_as_png_and_svg_through_headless_chromium()
    {
        Skip.If(NoChromium, NeedsChromium);
        string folder = TempFolder();
        try
        {
            var plot = Plots.Accuracies("accuracy", ["a", "b"], [0.4, 0.9], [0, 1, 1], classes: 2, highlight: [1]);
            plot.SavePng(Path.Combine(folder, "chart.png"), scale: 1);
            plot.SaveSvg(Path.Combine(folder, "chart.svg"));
            byte[] png = File.ReadAllBytes(Path.Combine(folder, "chart.png"));
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
            int width = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16));
            Assert.Equal(600, width); // the layout's width, at scale 1
            string svg = File.ReadAllText(Path.Combine(folder, "chart.svg"));
            Assert.StartsWith("<svg", svg);
            Assert.Contains("majority class", svg);
            Assert.Equal(2, Directory.GetFiles(folder).Length);
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    [Fact]
    public void Without_chromium_saving_a_png_names_the_file_and_the_package_to_install()
    {
        string folder = TempFolder(), before = Environment.GetEnvironmentVariable("CLIP_CHROMIUM") ?? "";
        Environment.SetEnvironmentVariable("CLIP_CHROMIUM", Path.Combine(folder, "no-such-chromium"));
        try
        {
            string path = Path.Combine(folder, "chart.png");
            var e = Assert.Throws<ChartExportException>(() => Sample("h").SavePng(path));
            Assert.IsAssignableFrom<ClipSharpException>(e);
            Assert.Contains(path, e.Message);
            Assert.Contains("install the 'chromium' package", e.Message);
            Assert.Contains("no-such-chromium", e.Message);
            Assert.False(File.Exists(path));
        }
        finally
        {
            Environment.SetEnvironmentVariable("CLIP_CHROMIUM", before.Length > 0 ? before : null);
            Directory.Delete(folder, recursive: true);
        }
    }

    [SkippableFact]
    public void Clip_evaluate_plots_writes_the_evaluation_charts_as_html_and_png()
    {
        Skip.If(NoChromium, NeedsChromium);
        string folder = TempFolder(), plots = Path.Combine(folder, "plots");
        try
        {
            var cli = CliRunner.Run("evaluate", "--model", Reference.Model("tiny-rn.pt"), "--data", Reference.Images,
                "--labels", Path.Combine(Reference.Images, "labels.csv"), "--vocab", Reference.Vocab, "--no-cache",
                "--plots", plots);
            Assert.True(cli.ExitCode == 0, cli.Error);
            string[] names = ["confusion-matrix", "cosine-margins", "cosines"];
            var expected = names.SelectMany(n => new[] { n + ".html", n + ".png" }).Order();
            Assert.Equal(expected, Directory.GetFiles(plots).Select(Path.GetFileName).Order());
            Assert.Contains("Charts: ", cli.Output);
            Assert.Contains("true class", File.ReadAllText(Path.Combine(plots, "confusion-matrix.html")));
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    static string TempFolder()
    {
        string folder = Path.Combine(Path.GetTempPath(), $"clip-chart-test-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        return folder;
    }
}
