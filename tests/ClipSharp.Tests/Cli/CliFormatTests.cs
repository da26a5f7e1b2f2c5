using System.Globalization;
using System.Text.Json;

namespace ClipSharp.Tests.Cli;

/// <summary><c>--format table|csv|json</c>: CSV (RFC 4180 quoting) and JSON parse back to what the table shows;
/// piped tables are plain columns, without box characters or ANSI codes.</summary>
public class CliFormatTests : TempFolderTest
{
    static string[] Images => [Path.Combine(Reference.Images, "cat.jpg"), Path.Combine(Reference.Images, "CLIP.png")];

    static string[] Classify(string format) => ["classify", "-m", Reference.Model("tiny-rn.pt"), "--vocab",
        Reference.Vocab, "-c", "a cat", "-c", "a diagram, \"quoted\"", .. Images, "--format", format];

    /// <summary>RFC 4180 read back: quoted fields may hold commas, doubled quotes and line ends.</summary>
    static List<string[]> ParseCsv(string text)
    {
        var rows = new List<string[]>();
        var row = new List<string>();
        var field = new System.Text.StringBuilder();
        bool quoted = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (quoted)
            {
                if (c != '"') field.Append(c);
                else if (i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else quoted = false;
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { row.Add(field.ToString()); field.Clear(); }
            else if (c == '\n')
            {
                row.Add(field.ToString());
                field.Clear();
                rows.Add([.. row]);
                row.Clear();
            }
            else if (c != '\r') field.Append(c);
        }
        return rows;
    }

    [Fact]
    public void Classify_csv_and_json_agree_and_parse_back()
    {
        var csv = CliRunner.Run(Classify("csv"));
        Assert.True(csv.ExitCode == 0, csv.Error);
        var rows = ParseCsv(csv.Output);
        Assert.Equal(["image", "p(a cat)", "p(a diagram, \"quoted\")", "prediction"], rows[0]);
        Assert.Equal(Images, rows.Skip(1).Select(r => r[0]));

        var json = CliRunner.Run(Classify("json"));
        Assert.True(json.ExitCode == 0, json.Error);
        using var document = JsonDocument.Parse(json.Output);
        var images = document.RootElement.GetProperty("images").EnumerateArray().ToList();
        for (int i = 0; i < images.Count; i++)
        {
            var p = images[i].GetProperty("probabilities").EnumerateArray().Select(x => x.GetDouble()).ToList();
            Assert.Equal(1.0, p.Sum(), 4);
            Assert.Equal(double.Parse(rows[i + 1][1], CultureInfo.InvariantCulture), p[0], 4);
            Assert.Equal(rows[i + 1][3], images[i].GetProperty("prediction").GetString());
        }
    }

    [Fact]
    public void A_piped_table_is_plain_columns()
    {
        var table = CliRunner.Run(Classify("table"));
        Assert.True(table.ExitCode == 0, table.Error);
        Assert.DoesNotContain("│", table.Output);
        Assert.DoesNotContain("\u001b[", table.Output);
        var lines = table.Output.TrimEnd('\n').Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("image", lines[0]);
        Assert.Contains(Images[0], lines[1]);
    }

    [Fact]
    public void Models_csv_and_json_list_every_registry_model()
    {
        var csv = ParseCsv(CliRunner.Run("models", "--format", "csv").Output);
        Assert.Equal(["name", "status", "file"], csv[0]);
        Assert.Contains(csv, r => r[0] == "ViT-L/14@336px");
        using var json = JsonDocument.Parse(CliRunner.Run("models", "--format", "json").Output);
        Assert.Equal(csv.Skip(1).Select(r => r[0]),
            json.RootElement.GetProperty("models").EnumerateArray().Select(m => m.GetProperty("name").GetString()));
    }

    [Fact]
    public void Tokenize_csv_quotes_commas_quotes_and_json_holds_the_ids()
    {
        string[] texts = ["a cat, sitting", "say \"cheese\""];
        var csv = CliRunner.Run(["tokenize", .. texts, "--vocab", Reference.Vocab, "--format", "csv"]);
        Assert.True(csv.ExitCode == 0, csv.Error);
        Assert.Contains("\"say \"\"cheese\"\"\"", csv.Output);
        var rows = ParseCsv(csv.Output);
        Assert.Equal(["text", "tokens", "ids"], rows[0]);
        Assert.Equal(texts, rows.Skip(1).Select(r => r[0]));

        var plain = CliRunner.Run(["tokenize", .. texts, "--vocab", Reference.Vocab]);
        using var json = JsonDocument.Parse(
            CliRunner.Run(["tokenize", .. texts, "--vocab", Reference.Vocab, "--format", "json"]).Output);
        var ids = json.RootElement.EnumerateArray()
            .Select(t => string.Join(' ', t.GetProperty("ids").EnumerateArray().Select(i => i.GetInt32())));
        Assert.Equal(plain.Output.TrimEnd('\n').Split('\n'), ids);
        Assert.Equal(rows.Skip(1).Select(r => r[2]), ids);
    }

    [Fact]
    public void Evaluate_csv_is_the_per_image_file_on_stdout()
    {
        string file = Path.Combine(Dir, "results.csv");
        var run = CliRunner.Run("evaluate", "-m", Reference.Model("tiny-rn.pt"), "--vocab", Reference.Vocab,
            "--data", Reference.Images, "--no-cache", "--output", file, "--format", "csv");
        Assert.True(run.ExitCode == 0, run.Error);
        var printed = ParseCsv(run.Output);
        var written = ParseCsv(File.ReadAllText(file));
        Assert.Equal(written, printed);
        Assert.Equal(["file", "label", "prediction", "p_no glasses", "p_glasses"], printed[0]);
    }
}
