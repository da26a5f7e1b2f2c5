using ClipSharp.Evaluation;
using ClipSharp.Notebooks;
using static TorchSharp.torch;

namespace ClipSharp.Tests.Notebooks;

/// <summary>The notebook views, in-process: charts carry their data and draw offline, also beside an AMD loader;
/// galleries and tables show what they are given; wrong shapes are refused with the numbers.</summary>
public class PlotsTests
{
    [Fact]
    public void A_heatmap_carries_its_values_labels_and_title()
    {
        var plot = Plots.Heatmap("cosine", new float[,] { { 0.25f, 0.5f }, { 0.75f, 1f } }, ["a.png", "b.png"],
            ["glasses", "no glasses"]);
        string html = plot.ToHtml();
        Assert.Contains("\"z\":[[0.25,0.5],[0.75,1.0]]", html);
        Assert.Contains("\"x\":[\"glasses\",\"no glasses\"]", html);
        Assert.Contains("\"y\":[\"a.png\",\"b.png\"]", html);
        Assert.Contains("\"texttemplate\":\"%{z:.3f}\"", html);
        Assert.Contains("\"title\":{\"text\":\"cosine\"}", html);
    }

    [Fact]
    public void Wrong_shapes_are_refused_with_the_numbers()
    {
        var e = Assert.Throws<ArgumentException>(() => Plots.Heatmap("t", new float[2, 3], ["a", "b"], ["x", "y"]));
        Assert.Contains("[2, 3] but there are 2 row and 2 column labels", e.Message);
        e = Assert.Throws<ArgumentException>(() => Plots.Bars("t", ["a", "b"], [1.0], "y"));
        Assert.Contains("2 labels but 1 values", e.Message);
    }

    [Fact]
    public void The_confusion_matrix_plot_shows_the_counts_and_row_shares()
    {
        var confusion = new ConfusionMatrix(["no glasses", "glasses"]);
        confusion.Add(0, 0); confusion.Add(1, 0); confusion.Add(1, 1); confusion.Add(1, 1);
        string html = Plots.Confusion(confusion).ToHtml();
        // coloured by share of the true class and labelled with the counts
        Assert.Contains("\"z\":[[1.0,0.0],[0.3333333333333333,0.6666666666666666]]", html);
        Assert.Contains("<b>2</b><br>66.7 %", html);
    }

    [SkippableFact]
    public void Charts_draw_offline_in_a_browser_even_beside_an_AMD_loader()
    {
        Skip.If(NotebookRunner.Chromium is null && Environment.GetEnvironmentVariable("CI") != "true",
            "install chromium to run the chart-rendering test of PlotsTests");
        var plot = Plots.Histograms("h", "x", [("a", [1.0, 2, 2, 3]), ("b", [2.0, 3, 3, 4])]);
        // require.js-style loaders make UMD bundles register as modules; the chart must still find Plotly.
        string dom = NotebookRunner.RenderInBrowser(
            "<script>window.define = function () {}; window.define.amd = {};</script>" + plot.ToHtml());
        Assert.Contains("class=\"main-svg\"", dom);
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Matches(dom, "class=\"trace bars\"").Count);
    }

    [Fact]
    public void A_gallery_inlines_each_picture_with_its_caption()
    {
        var gallery = new Gallery(thumbnail: 32).Add(Path.Combine(Reference.Images, "cat.jpg"), "a <cat>")
            .AddRgb(new byte[4 * 4 * 3], 4, "black");
        string html = gallery.ToHtml();
        Assert.Equal(2, gallery.Count);
        Assert.Equal(2,
            System.Text.RegularExpressions.Regex.Matches(html, "src=\"data:image/(png|jpeg);base64,").Count);
        Assert.Contains("src=\"data:image/png;base64,", html); // the model's view (AddRgb) stays lossless
        Assert.Contains("a &lt;cat&gt;", html);
        Assert.Throws<ArgumentException>(() => gallery.AddRgb(new byte[5], 4, "short"));
    }

    [Fact]
    public void A_table_of_a_token_tensor_has_a_row_per_prompt_and_a_column_per_position()
    {
        using var tokens = tensor(new[] { 49406, 320, 49407, 0, 49406, 49407, 0, 0 }, [2, 4], ScalarType.Int32);
        var table = Table.FromTensor(tokens, ["a", "b"]);
        Assert.Equal(["0", "1", "2", "3"], table.ColumnLabels);
        Assert.Equal("49407", table[1, 1]);
        Assert.Contains("<th style=\"text-align:left;white-space:nowrap;padding:1px 6px\">b</th>", table.ToHtml());
        var records = Table.FromRecords(new[] { new { File = "x.png", P = 0.5f } });
        Assert.Equal(["File", "P"], records.ColumnLabels);
        Assert.Equal("0.5000", records[0, 1]); // reals with four decimals, so columns line up
    }
}
