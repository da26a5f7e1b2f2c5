using System.Text.Json.Nodes;
using ClipSharp.Evaluation;
using ClipSharp.Notebooks;

namespace ClipSharp.Tests.Notebooks;

/// <summary>The charts say what a reader needs and nothing misleading, read off the plotly figure each one builds:
/// shared histogram bins, whole-number counts, the decision boundary; axis and colour-bar titles; counts with row
/// shares in readable colours; accuracies on [0, 1] against their baselines; tables aligned by kind with even
/// decimals.</summary>
public class ChartTruthTests
{
    static JsonNode Figure(Plot plot) => JsonNode.Parse(plot.ToJson())!;

    [Fact]
    public void Overlaid_histograms_share_one_set_of_bins_whose_edges_cover_every_value()
    {
        double[] narrow = [0.01, 0.02, 0.02, 0.03], wide = [-0.4, -0.1, 0.2, 0.5, 0.9];
        var figure = Figure(Plots.Histograms("h", "x", [("narrow", narrow), ("wide", wide)]));
        var traces = figure["data"]!.AsArray();
        Assert.Equal(2, traces.Count);
        var bins = traces.Select(t => t!["xbins"]!.ToJsonString()).Distinct().ToList();
        Assert.Single(bins);
        Assert.All(traces, t => Assert.False((bool)t!["autobinx"]!));
        double start = (double)traces[0]!["xbins"]!["start"]!, end = (double)traces[0]!["xbins"]!["end"]!;
        Assert.True(start <= -0.4 && end > 0.9, $"bins [{start}, {end}) miss a value");
    }

    [Fact]
    public void Histogram_bins_have_a_round_width_and_count_each_value_once()
    {
        double[] values = [0.013, 0.1, 0.27, 0.33, 0.5, 0.51];
        var bins = HistogramBins.Cover(values, target: 5);
        double mantissa = bins.Size / Math.Pow(10, Math.Floor(Math.Log10(bins.Size)));
        Assert.Contains(mantissa, new[] { 1, 2, 2.5, 5 }.Select(x => (double)x));
        Assert.True(bins.Start <= values.Min() && bins.End > values.Max());
        Assert.Equal(values.Length, bins.Counts(values).Sum());
        Assert.Equal(3, HistogramBins.Cover([1.0, 1, 1]).Counts([1.0, 1, 1]).Max()); // one value thrice: one bin
    }

    [Fact]
    public void Histogram_counts_tick_at_whole_images_and_the_boundary_is_a_labelled_vertical_line()
    {
        var plot = Plots.Histograms("margin", "cosine margin", [("a", [-0.1, 0.05]), ("b", [0.2])],
            boundary: 0, boundaryLabel: "◀ no | yes ▶");
        var layout = Figure(plot)["layout"]!;
        Assert.Equal("d", (string?)layout["yaxis"]!["tickformat"]);
        double dtick = (double)layout["yaxis"]!["dtick"]!;
        Assert.True(dtick >= 1 && dtick == Math.Floor(dtick), $"count ticks every {dtick} images");
        var line = layout["shapes"]!.AsArray().Single()!;
        Assert.Equal(0.0, (double)line["x0"]!);
        Assert.Equal(0.0, (double)line["x1"]!);
        Assert.Equal("paper", (string?)line["yref"]);
        Assert.Equal("◀ no | yes ▶", (string?)layout["annotations"]![0]!["text"]);
        Assert.Equal("cosine margin", (string?)layout["xaxis"]!["title"]!["text"]);
    }

    [Fact]
    public void A_boundary_outside_the_values_is_still_inside_the_x_range()
    {
        var layout = Figure(Plots.Histograms("h", "x", [("a", [0.2, 0.3])], boundary: 0))["layout"]!;
        var range = layout["xaxis"]!["range"]!.AsArray().Select(v => (double)v!).ToList();
        Assert.True(range[0] < 0 && range[1] > 0.3, $"range [{range[0]}, {range[1]}]");
    }

    [Fact]
    public void A_heatmap_has_axis_and_colour_bar_titles_and_short_labels_with_full_names_on_hover()
    {
        string longName = "meglass_7134850_N05_identity_2_8417960035_0.jpg";
        var plot = Plots.Heatmap("cosine", new float[,] { { 0.1f, 0.2f }, { 0.3f, 0.4f } }, [longName, "b.png"],
            ["glasses", "no glasses"],
            xTitle: "prompt", yTitle: "image", colorTitle: "cosine");
        var figure = Figure(plot);
        var layout = figure["layout"]!;
        Assert.Equal("prompt", (string?)layout["xaxis"]!["title"]!["text"]);
        Assert.Equal("image", (string?)layout["yaxis"]!["title"]!["text"]);
        Assert.Equal("cosine", (string?)figure["data"]![0]!["colorbar"]!["title"]!["text"]);
        Assert.Equal("reversed", (string?)layout["yaxis"]!["autorange"]); // first row at the top
        var ticks = layout["yaxis"]!["ticktext"]!.AsArray().Select(t => (string)t!).ToList();
        Assert.True(ticks[0].Length <= 22 && ticks[0].Contains('…'), ticks[0]);
        Assert.Equal(longName, (string?)layout["yaxis"]!["tickvals"]![0]);
        Assert.Equal(longName, (string?)figure["data"]![0]!["y"]![0]); // hover shows %{y}: the full name
        Assert.Contains("image: %{y}", (string?)figure["data"]![0]!["hovertemplate"]);
    }

    [Fact]
    public void Shortened_labels_stay_distinct()
    {
        var labels = new[] { "face_0000000000000000000000001.png", "face_0000000000000000000000002.png" };
        var shortened = ChartLabels.Shorten(labels, max: 10);
        Assert.Equal(2, shortened.Distinct().Count());
        Assert.All(shortened, s => Assert.True(s.Length < labels[0].Length));
    }

    [Fact]
    public void The_confusion_matrix_names_its_axes_and_shows_counts_with_row_percentages_in_readable_colours()
    {
        var confusion = new ConfusionMatrix(["no glasses", "glasses"]);
        confusion.Add(0, 0); confusion.Add(0, 0); confusion.Add(0, 0); confusion.Add(0, 1);
        confusion.Add(1, 1);
        var figure = Figure(Plots.Confusion(confusion));
        var layout = figure["layout"]!;
        Assert.Equal("predicted class", (string?)layout["xaxis"]!["title"]!["text"]);
        Assert.Equal("true class", (string?)layout["yaxis"]!["title"]!["text"]);
        var notes = layout["annotations"]!.AsArray()
            .Select(a => ((string)a!["text"]!, (string)a["font"]!["color"]!)).ToList();
        Assert.Equal(4, notes.Count);
        Assert.Contains(("<b>3</b><br>75.0 %", "white"), notes);  // a dark cell: light text
        Assert.Contains(("<b>1</b><br>25.0 %", "black"), notes);  // a light cell: dark text
        Assert.Contains(("<b>0</b><br>0.0 %", "black"), notes);
        Assert.Contains(("<b>1</b><br>100.0 %", "white"), notes);
        Assert.Equal("[[0.75,0.25],[0.0,1.0]]", figure["data"]![0]!["z"]!.ToJsonString()); // coloured by row share
    }

    [Fact]
    public void Cell_text_contrasts_with_its_colour_across_the_whole_scale()
    {
        Assert.Equal("black", Plots.TextColourOn(0));
        Assert.Equal("white", Plots.TextColourOn(1));
        var colours = Enumerable.Range(0, 101).Select(i => Plots.TextColourOn(i / 100.0)).ToList();
        Assert.Equal(1, colours.Zip(colours.Skip(1)).Count(p => p.First != p.Second)); // switches once, dark to light
    }

    [Fact]
    public void Accuracy_bars_run_from_0_to_1_with_chance_and_majority_lines_and_the_ensemble_in_its_own_colour()
    {
        int[] labels = [0, 0, 0, 1]; // majority class: 3 of 4
        var plot = Plots.Accuracies("acc", ["a photo of a person with {}.", "{}", "ensemble of 2"], [0.5, 0.75, 0.8],
            labels, classes: 2,
            highlight: [2]);
        var figure = Figure(plot);
        var layout = figure["layout"]!;
        Assert.Equal("[0.0,1.0]", layout["yaxis"]!["range"]!.ToJsonString());
        var lines = layout["shapes"]!.AsArray().Select(s => (double)s!["y0"]!).ToList();
        Assert.Equal([0.5, 0.75], lines);
        var notes = layout["annotations"]!.AsArray().Select(a => (string)a!["text"]!).ToList();
        Assert.Equal(["chance 0.500", "majority class 0.750"], notes);
        var colours = figure["data"]![0]!["marker"]!["color"]!.AsArray().Select(c => (string)c!).ToList();
        Assert.Equal(colours[0], colours[1]);
        Assert.NotEqual(colours[0], colours[2]);
        Assert.Equal(0, (int)layout["xaxis"]!["tickangle"]!);
        Assert.Contains("<br>", (string?)layout["xaxis"]!["ticktext"]![0]); // long template names wrap, not slant
    }

    [Fact]
    public void Tables_left_align_text_right_align_numbers_and_give_reals_even_decimals()
    {
        var table = Table.FromRecords(new[]
        {
            new { File = "a.png", P = 0.082, Q = 0f, N = 3 },
            new { File = "b.png", P = 0.639, Q = 1f, N = 12 },
        });
        Assert.Equal(["0.0820", "0.0000", "3"], new[] { table[0, 1], table[0, 2], table[0, 3] });
        string html = table.ToHtml();
        Assert.Contains("text-align:left\">a.png</td>", html);
        Assert.Contains("text-align:right\">0.6390</td>", html);
        Assert.Contains("<th style=\"padding:1px 4px;text-align:left\">File</th>", html);
        Assert.Contains("<th style=\"padding:1px 4px;text-align:right\">P</th>", html);
        Assert.Equal("0.08", Table.FromRecords(new[] { new { P = 0.082 } }, decimals: 2)[0, 0]);
    }

    [Fact]
    public void Gallery_photos_are_small_JPEGs_and_the_models_view_stays_lossless_PNG()
    {
        string face = Path.Combine(Reference.Images, "face-1097.png");
        var gallery = new Gallery(thumbnail: 128).Add(face);
        string photo = gallery.ToHtml();
        Assert.Contains("src=\"data:image/jpeg;base64,", photo);
        Assert.True(photo.Length < 20_000, $"a 128-px face takes {photo.Length:N0} characters");
        var rgb = new byte[8 * 8 * 3];
        new Random(1).NextBytes(rgb);
        Assert.Contains("src=\"data:image/png;base64,", new Gallery().AddRgb(rgb, 8, "noise").ToHtml());
    }

    [Fact]
    public void The_evaluation_charts_for_two_classes_put_the_boundary_at_zero_between_the_two_predictions()
    {
        var confusion = new ConfusionMatrix(["no glasses", "glasses"]);
        confusion.Add(0, 0); confusion.Add(1, 0);
        var predictions = new[]
        {
            new ImagePrediction("a.png", 0, 0, [0.6f, 0.4f], [0.25f, 0.2f]),
            new ImagePrediction("b.png", 1, 0, [0.7f, 0.3f], [0.3f, 0.28f]),
        };
        var result = new EvaluationResult(predictions, confusion, null!, TimeSpan.Zero, 0);
        var charts = EvaluationCharts.All(result);
        Assert.Equal(["confusion-matrix", "cosine-margins", "cosines"], charts.Select(c => c.Name));
        var margins = Figure(charts[1].Plot);
        Assert.Equal(0.0, (double)margins["layout"]!["shapes"]![0]!["x0"]!);
        Assert.Contains("predicted glasses", (string?)margins["layout"]!["annotations"]![0]!["text"]);
        Assert.Equal(["true: no glasses", "true: glasses"],
            margins["data"]!.AsArray().Select(t => (string)t!["name"]!));
    }
}
