using System.Diagnostics;
using ClipSharp.Evaluation;
using ClipSharp.Modeling;
using ClipSharp.ZeroShot;
using static TorchSharp.torch;
using ClipSharp.Loading;

namespace ClipSharp.Tests.Hardening;

/// <summary>Evaluations that share an embedding cache at the same time merge their entries instead of each saving
/// the snapshot it loaded.</summary>
public class EmbeddingCacheConcurrencyTests : TempFolderTest
{
    static readonly string[] Classes = ["no glasses", "glasses"];
    string CacheDir => Path.Combine(Dir, "cache");

    /// <summary>The reference labels split in two disjoint files (odd and even rows).</summary>
    (string A, string B) DisjointLabels()
    {
        var lines = File.ReadAllLines(Path.Combine(Reference.Images, "labels.csv"));
        string a = Path.Combine(Dir, "a.csv"), b = Path.Combine(Dir, "b.csv");
        File.WriteAllLines(a, [lines[0], .. lines.Skip(1).Where((_, i) => i % 2 == 0)]);
        File.WriteAllLines(b, [lines[0], .. lines.Skip(1).Where((_, i) => i % 2 == 1)]);
        return (a, b);
    }

    static int DistinctLabelledImages() => LabeledImageSet.Load(Reference.Images, Classes).Images
        .Select(i => EmbeddingCache.ContentKey(File.ReadAllBytes(i.Path))).Distinct().Count();

    /// <summary>A third evaluation over every image finds them all in the cache.</summary>
    void AssertTheUnionEncodesNothing()
    {
        using var model = ClipModel.Load(Reference.Model("tiny-rn.pt"));
        using var cache = EmbeddingCache.For(model, CacheDir);
        Assert.Empty(cache.Warnings);
        Assert.Equal(DistinctLabelledImages(), cache.Count);
        using var classifier = ZeroShotClassifier.Create(model, PromptSet.Create(Classes), Reference.Tokenizer);
        var evaluator = new Evaluator(model, cache);
        evaluator.Evaluate(LabeledImageSet.Load(Reference.Images, Classes), classifier);
        Assert.Equal(0, evaluator.EncodedImages);
    }

    [Fact]
    public async Task Two_evaluations_at_once_on_disjoint_images_keep_every_entry()
    {
        var (a, b) = DisjointLabels();
        using var modelA = ClipModel.Load(Reference.Model("tiny-rn.pt"));
        using var modelB = ClipModel.Load(Reference.Model("tiny-rn.pt"));
        // Both caches read the (missing) file before either saves: each save must merge what the other wrote.
        using var cacheA = EmbeddingCache.For(modelA, CacheDir);
        using var cacheB = EmbeddingCache.For(modelB, CacheDir);
        int Evaluate(ClipModel model, EmbeddingCache cache, string labels)
        {
            using var classifier = ZeroShotClassifier.Create(model, PromptSet.Create(Classes), Reference.Tokenizer);
            var evaluator = new Evaluator(model, cache);
            evaluator.Evaluate(LabeledImageSet.Load(Reference.Images, Classes, labels), classifier);
            return evaluator.EncodedImages;
        }
        var runs = await Task.WhenAll(
            Task.Run(() => Evaluate(modelA, cacheA, a)), Task.Run(() => Evaluate(modelB, cacheB, b)));
        Assert.Equal(27, runs.Sum());
        Assert.Empty(cacheA.Warnings);
        Assert.Empty(cacheB.Warnings);
        AssertTheUnionEncodesNothing();
    }

    [Fact]
    public async Task Two_clip_processes_at_once_on_disjoint_images_keep_every_entry()
    {
        var (a, b) = DisjointLabels();
        string clip = Path.Combine(AppContext.BaseDirectory, "clip.dll");
        Process Start(string labels)
        {
            var start = new ProcessStartInfo("dotnet", ["exec", clip, "evaluate",
                "--model", Reference.Model("tiny-rn.pt"), "--data", Reference.Images, "--labels", labels,
                "--vocab", Reference.Vocab, "--cache", CacheDir])
            {
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
                WorkingDirectory = Dir,
            };
            return Process.Start(start)!;
        }
        using var first = Start(a);
        using var second = Start(b);
        foreach (var process in new[] { first, second })
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            try { await process.WaitForExitAsync(timeout.Token); }
            catch (OperationCanceledException) { process.Kill(entireProcessTree: true); }
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, $"clip evaluate failed: {await error}");
            Assert.DoesNotContain("warning:", await error);
            Assert.Contains("Accuracy: ", await output);
        }
        AssertTheUnionEncodesNothing();
    }

    [Fact]
    public async Task A_save_waits_for_the_lock_another_writer_holds()
    {
        string key = new('b', 64);
        using var cache = new EmbeddingCache(CacheDir, new string('0', 64), 32, 4);
        using var embedding = tensor(new[] { 1f, 2f, 3f, 4f });
        cache.Add(key, embedding);
        Directory.CreateDirectory(CacheDir);
        Task save;
        using (new FileStream(cache.FilePath + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            save = Task.Run(cache.Save);
            await Task.Delay(1000);
            Assert.False(save.IsCompleted, "the save did not wait for the lock");
            Assert.False(File.Exists(cache.FilePath));
        }
        var finished = await Task.WhenAny(save, Task.Delay(TimeSpan.FromSeconds(60)));
        Assert.True(finished == save, "the save never took the freed lock");
        Assert.True(File.Exists(cache.FilePath));
        Assert.Empty(cache.Warnings);
    }
}
