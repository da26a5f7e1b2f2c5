using System.Diagnostics;
using System.Text;
using ClipSharp.Evaluation;

namespace ClipSharp.Tests.Hardening;

/// <summary>Bounded, seeded mutation fuzzing of labels CSV files: thousands of mutated files may fail only with a
/// DataSetException naming the labels file, never crash, hang or leak another exception type, and stay unchanged.
/// </summary>
public class CsvFuzzTests : TempFolderTest
{
    const int Seed = 1127, Iterations = 3000;
    static readonly string[] Classes = ["no glasses", "glasses"];

    static readonly string[] Seeds =
    [
        "id,v1,v2,glasses\n1,0.1,0.2,1\n2,0.3,0.4,0\n3,0.5,0.6,1\n",
        "file,label\na.png,glasses\n\"b.png\",no glasses\nsub/c.png,1\n",
        "file,note,kind\r\n\"a.png\",\"quoted, with a comma\",1\r\nb.png,x,0\r\n",
    ];

    static readonly byte[][] Tokens =
    [
        .. new[] { ",", "\"", "\n", "\r\n", "\r", "\0", "./", "../", "/dev/zero", "/", "face-1.png", "./a.png", "1e308",
            "-1", "NaN", "1.5", "glasses", "{id}", "file", "id", "\"\"", "\t", " ", "ü", "\u202E" }
            .Select(Encoding.UTF8.GetBytes),
        [0xEF, 0xBB, 0xBF], [0xFF, 0xFE], [0xC3], [0x80, 0x80], [0xFF],
    ];

    [Fact]
    public void Mutated_labels_files_fail_only_with_data_set_errors()
    {
        var random = new Random(Seed);
        var png = ImageSamples.Png(4, 4, random);
        foreach (var name in new[] { "face-1.png", "face-2.png", "face-3.png", "a.png", "b.png", "sub/c.png" })
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(Dir, name))!);
            File.WriteAllBytes(Path.Combine(Dir, name), png);
        }
        string csv = Path.Combine(Dir, "labels.csv");
        foreach (var text in Seeds)
        {
            File.WriteAllText(csv, text);
            Assert.NotEmpty(LabeledImageSet.Load(Dir, Classes, csv).Images);
        }

        var mutator = new Mutator(random, Tokens);
        var unexpected = new List<string>();
        int refused = 0;
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < Iterations; i++)
        {
            var mutated = mutator.Mutate(Encoding.UTF8.GetBytes(Seeds[i % Seeds.Length]));
            File.WriteAllBytes(csv, mutated);
            int? limit = random.Next(3) == 0 ? random.Next(1, 5) : null;
            try { LabeledImageSet.Load(Dir, Classes, csv, limit: limit, skipMissing: random.Next(2) == 0); }
            catch (DataSetException e)
            {
                refused++;
                if (!e.Message.Contains(csv)) unexpected.Add($"#{i}: no file named: {e.Message}");
            }
            catch (Exception e) { unexpected.Add($"#{i}: {e.GetType().Name}: {e.Message}"); }
            if (!File.ReadAllBytes(csv).AsSpan().SequenceEqual(mutated))
                unexpected.Add($"#{i}: the labels file changed");
        }
        Assert.True(unexpected.Count == 0, string.Join("\n", unexpected.Take(10)));
        Assert.InRange(refused, Iterations / 10, Iterations - Iterations / 20); // the mutations reach both outcomes
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(90), $"took {clock.Elapsed}");
    }
}
