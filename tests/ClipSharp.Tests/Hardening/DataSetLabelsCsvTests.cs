using ClipSharp.Evaluation;
using ClipSharp.Tests.Cli;

namespace ClipSharp.Tests.Hardening;

/// <summary>Labels CSVs that used to change the answer silently: a label column named twice or not at all, and labels
/// that only read as numbers ("1.0", "+1", "1e0", "0.9999999999999999999"). Each is a DataSetException naming the
/// file and line, and the CLI prints it as one line and exits 1 without touching the file.</summary>
public class DataSetLabelsCsvTests : TempFolderTest
{
    static readonly string[] Classes = ["no glasses", "glasses"];

    string Csv(string content)
    {
        File.Copy(Path.Combine(Reference.Images, "face-127.png"), Path.Combine(Dir, "a.png"), true);
        string csv = Path.Combine(Dir, "labels.csv");
        File.WriteAllText(csv, content);
        return csv;
    }

    [Theory]
    [InlineData(null)]
    [InlineData("glasses")]
    [InlineData("GLASSES")]
    public void A_label_column_named_twice_is_refused_whichever_way_it_is_chosen(string? labelColumn)
    {
        string csv = Csv("file,glasses,Glasses \na.png,1,0\n");
        var e = Assert.Throws<DataSetException>(() => LabeledImageSet.Load(Dir, Classes, csv, labelColumn));
        Assert.Equal($"{csv}:1: duplicate column 'glasses' (columns 2, 3)", e.Message);
    }

    [Fact]
    public void A_file_column_named_twice_is_refused()
    {
        string csv = Csv("file,file,glasses\na.png,b.png,1\n");
        var e = Assert.Throws<DataSetException>(() => LabeledImageSet.Load(Dir, Classes, csv));
        Assert.Equal($"{csv}:1: duplicate column 'file' (columns 1, 2)", e.Message);
    }

    [Fact]
    public void A_duplicate_among_unused_columns_is_harmless()
    {
        string csv = Csv("file,x,x,glasses\na.png,1,2,1\n");
        var set = LabeledImageSet.Load(Dir, Classes, csv);
        Assert.Equal(1, Assert.Single(set.Images).Label);
    }

    [Fact]
    public void A_label_column_without_a_name_is_refused_at_its_header_line()
    {
        string csv = Csv("\nfile,glasses,\na.png,1,0\n");
        var e = Assert.Throws<DataSetException>(() => LabeledImageSet.Load(Dir, Classes, csv));
        Assert.Equal($"{csv}:2: the label column (column 3) has no name", e.Message);
        var blank = Assert.Throws<DataSetException>(() => LabeledImageSet.Load(Dir, Classes, csv, " "));
        Assert.Contains(csv, blank.Message);
    }

    [Theory]
    [InlineData("0.9999999999999999999")]
    [InlineData("1.0")]
    [InlineData("1e0")]
    [InlineData("+1")]
    [InlineData("-0")]
    [InlineData("0x1")]
    [InlineData("1_0")]
    [InlineData("\u0661")] // ARABIC-INDIC DIGIT ONE
    [InlineData("99999999999999999999")]
    public void A_label_that_is_not_plain_digits_or_a_class_name_is_refused_naming_file_line_and_value(string label)
    {
        string csv = Csv($"file,glasses\na.png,{label}\n");
        var e = Assert.Throws<DataSetException>(() => LabeledImageSet.Load(Dir, Classes, csv));
        Assert.StartsWith($"{csv}:2 (a.png): label '{label}' is neither a class index 0–1 nor a class name",
            e.Message);
    }

    [Theory]
    [InlineData("1", 1)]
    [InlineData(" 0 ", 0)]
    [InlineData("01", 1)]
    [InlineData("Glasses", 1)]
    public void Plain_digits_and_class_names_are_read(string label, int expected)
    {
        string csv = Csv($"file,glasses\na.png,{label}\n");
        Assert.Equal(expected, Assert.Single(LabeledImageSet.Load(Dir, Classes, csv).Images).Label);
    }

    [Theory]
    [InlineData("file,glasses,glasses\na.png,1,0\n", ":1: duplicate column 'glasses'")]
    [InlineData("file,glasses\na.png,0.9999999999999999999\n", ":2 (a.png): label '0.9999999999999999999'")]
    public void The_cli_prints_one_line_and_leaves_the_file_unchanged(string content, string expected)
    {
        string csv = Csv(content);
        var before = File.ReadAllBytes(csv);
        foreach (var column in new[] { Array.Empty<string>(), ["--label-column", "glasses"] })
        {
            var run = CliRunner.Run(["evaluate", "-m", Reference.Model("tiny-rn.pt"), "-d", Dir, "--labels", csv,
                "--vocab", Reference.Vocab, .. column]);
            Assert.Equal(1, run.ExitCode);
            Assert.StartsWith($"error: {csv}{expected}", run.Error);
            Assert.Single(run.Error.TrimEnd('\n').Split('\n'));
            Assert.Equal("", run.Output);
        }
        Assert.Equal(before, File.ReadAllBytes(csv));
    }
}
