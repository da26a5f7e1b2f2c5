using ClipSharp.Checkpoints;
using ClipSharp.Evaluation;
using ClipSharp.Modeling;
using ClipSharp.Tests.Cli;
using ClipSharp.ZeroShot;
using static TorchSharp.torch;
using ClipSharp.Loading;

namespace ClipSharp.Tests.Hardening;

/// <summary>The embedding cache uses no entry it cannot trust: a changed, non-finite or wrong-shaped entry, or a
/// damaged file, is recomputed with a warning, and the result is the untampered one.</summary>
public class EmbeddingCacheTamperTests : TempFolderTest
{
    static readonly string[] Classes = ["no glasses", "glasses"];
    string CacheDir => Path.Combine(Dir, "cache");

    static string KeyOf(string image) =>
        EmbeddingCache.ContentKey(File.ReadAllBytes(Path.Combine(Reference.Images, image)));

    sealed record Run(EvaluationResult Result, int Encoded, IReadOnlyList<string> Warnings, string CacheFile);

    Run Evaluate(ClipModel model)
    {
        var set = LabeledImageSet.Load(Reference.Images, Classes);
        using var classifier = ZeroShotClassifier.Create(model, PromptSet.Create(Classes), Reference.Tokenizer);
        using var cache = EmbeddingCache.For(model, CacheDir);
        var evaluator = new Evaluator(model, cache);
        var result = evaluator.Evaluate(set, classifier);
        return new Run(result, evaluator.EncodedImages, cache.Warnings, cache.FilePath);
    }

    static void AssertSameResult(EvaluationResult expected, EvaluationResult actual)
    {
        Assert.Equal(expected.Predictions.Select(p => (p.File, p.Prediction)),
            actual.Predictions.Select(p => (p.File, p.Prediction)));
        foreach (var (want, got) in expected.Predictions.Zip(actual.Predictions))
            for (int c = 0; c < Classes.Length; c++)
                Assert.True(Math.Abs(want.Probabilities[c] - got.Probabilities[c]) < 1e-5,
                    $"{want.File}: p_{c} {got.Probabilities[c]} vs {want.Probabilities[c]}");
        Assert.Equal(expected.Accuracy, actual.Accuracy);
    }

    /// <summary>Rewrites one entry of the cache file as an attacker or a broken disk would.</summary>
    static void Tamper(string cacheFile, string key, string how)
    {
        Dictionary<string, Tensor> tensors;
        Dictionary<string, string> metadata;
        using (var stored = SafeTensors.Read(cacheFile))
        {
            tensors = stored.Tensors.ToDictionary(kv => kv.Key, kv => kv.Value.clone());
            metadata = new(stored.Metadata);
        }
        var original = tensors[key];
        var changed = how switch // always a new tensor
        {
            "negated" => original.neg(),
            "nan" => original.clone().index_put_(tensor(float.NaN), 3),
            "infinite" => original.clone().index_put_(tensor(float.PositiveInfinity), 0),
            "wrong shape" => cat([original, ones(1)]),
            "float64" => original.to_type(ScalarType.Float64),
            "slightly changed" => original.mul(1.001f),
            "no checksum" => original.clone(),
            _ => throw new ArgumentException(how),
        };
        tensors[key] = changed;
        // Only "negated" and "slightly changed" keep the old checksum: the others are caught by another check.
        string checksumKey = EmbeddingCache.ChecksumKeyPrefix + key;
        if (how == "no checksum") metadata.Remove(checksumKey);
        else if (how is not ("negated" or "slightly changed"))
            metadata[checksumKey] = EmbeddingCache.EntryChecksum(key, changed.to_type(ScalarType.Float32));
        SafeTensors.Write(cacheFile, tensors, metadata);
        foreach (var t in tensors.Values.Append(original)) t.Dispose();
    }

    [Theory]
    [InlineData("negated", "checksum")]
    [InlineData("slightly changed", "checksum")]
    [InlineData("no checksum", "no checksum")]
    [InlineData("nan", "NaN")]
    [InlineData("infinite", "infinite")]
    [InlineData("wrong shape", "[65]")]
    [InlineData("float64", "Float64")]
    public void A_tampered_entry_is_recomputed_with_a_warning_and_the_result_is_unchanged(string how, string reason)
    {
        using var model = ClipModel.Load(Reference.Model("tiny-rn.pt"));
        var clean = Evaluate(model);
        Assert.Equal(27, clean.Encoded);
        Assert.Empty(clean.Warnings);

        string key = KeyOf("face-127.png");
        Tamper(clean.CacheFile, key, how);
        var tampered = Evaluate(model);
        var warning = Assert.Single(tampered.Warnings);
        Assert.Contains(clean.CacheFile, warning);
        Assert.Contains(key, warning);
        Assert.Contains(reason, warning);
        Assert.Equal(1, tampered.Encoded); // the bad entry was not used
        AssertSameResult(clean.Result, tampered.Result);

        var healed = Evaluate(model); // the save replaced the bad entry
        Assert.Empty(healed.Warnings);
        Assert.Equal(0, healed.Encoded);
        AssertSameResult(clean.Result, healed.Result);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("truncated")]
    [InlineData("empty")]
    public void A_damaged_cache_file_is_rebuilt_with_a_warning(string how)
    {
        using var model = ClipModel.Load(Reference.Model("tiny-rn.pt"));
        var clean = Evaluate(model);
        var bytes = File.ReadAllBytes(clean.CacheFile);
        File.WriteAllBytes(clean.CacheFile, how switch
        {
            "garbage" => [.. Enumerable.Range(0, 5000).Select(i => (byte)(i * 7))],
            "truncated" => bytes[..(bytes.Length / 2)],
            _ => [],
        });
        var rebuilt = Evaluate(model);
        var warning = Assert.Single(rebuilt.Warnings);
        Assert.Contains(clean.CacheFile, warning);
        Assert.Contains("rebuilt", warning);
        Assert.Equal(27, rebuilt.Encoded);
        AssertSameResult(clean.Result, rebuilt.Result);
        Assert.Equal(0, Evaluate(model).Encoded);
    }

    [Theory]
    [InlineData("fifo")]
    [InlineData("directory")]
    public async Task A_cache_path_that_is_not_a_regular_file_is_not_used_and_does_not_block(string what)
    {
        using var model = ClipModel.Load(Reference.Model("tiny-rn.pt"));
        string cacheFile;
        using (var probe = EmbeddingCache.For(model, CacheDir)) cacheFile = probe.FilePath;
        Directory.CreateDirectory(CacheDir);
        if (what == "fifo") OutputTestFiles.MakeFifo(cacheFile);
        else Directory.CreateDirectory(cacheFile);

        var evaluation = Task.Run(() => Evaluate(model));
        var finished = await Task.WhenAny(evaluation, Task.Delay(TimeSpan.FromMinutes(2)));
        Assert.True(finished == evaluation, $"an evaluation with a {what} as its cache file hung");
        var run = await evaluation;
        Assert.Equal(27, run.Encoded);
        Assert.Contains(run.Warnings, w => w.Contains(cacheFile) && w.Contains("not a regular file"));
        Assert.Contains(run.Warnings, w => w.Contains(cacheFile) && w.Contains("not saved"));
        Assert.Equal(what == "fifo" ? "fifo" : "directory", OutputTestFiles.StatKind(cacheFile));
    }

    [Fact]
    public void Clip_evaluate_prints_the_cache_warning_on_stderr_and_the_untampered_accuracy()
    {
        string[] args = ["evaluate", "--model", Reference.Model("tiny-rn.pt"), "--data", Reference.Images,
            "--vocab", Reference.Vocab, "--cache", CacheDir];
        var clean = CliRunner.Run(args);
        Assert.True(clean.ExitCode == 0, clean.Error);
        Assert.DoesNotContain("warning:", clean.Error);
        string cacheFile = Assert.Single(Directory.GetFiles(CacheDir, "*.safetensors"));
        Tamper(cacheFile, KeyOf("face-1146.png"), "negated");

        var run = CliRunner.Run(args);
        Assert.True(run.ExitCode == 0, run.Error);
        var warning = Assert.Single(run.Error.Split('\n'), l => l.StartsWith("warning: "));
        Assert.Contains(KeyOf("face-1146.png"), warning);
        Assert.Contains(Path.GetFileName(cacheFile), warning);
        string Accuracy(string output) => output.Split('\n').Single(l => l.StartsWith("Accuracy: "));
        Assert.Equal(Accuracy(clean.Output), Accuracy(run.Output));
        Assert.Contains("1 encoded", run.Output);
    }

    [Fact]
    public void An_embedding_that_is_not_finite_or_not_d_wide_is_never_stored()
    {
        string key = new('a', 64);
        using (var cache = new EmbeddingCache(CacheDir, new string('0', 64), 32, 4))
        {
            using var nan = tensor(new[] { 1f, float.NaN, 0f, 0f });
            cache.Add(key, nan);
            Assert.Equal(0, cache.Count);
            Assert.Contains(cache.Warnings, w => w.Contains(key) && w.Contains("NaN"));
            using var wide = ones(5);
            var e = Assert.Throws<ArgumentException>(() => cache.Add(key, wide));
            Assert.Contains(cache.FilePath, e.Message);
            using var good = tensor(new[] { 1f, 2f, 3f, 4f });
            cache.Add(key, good);
        }
        using var again = new EmbeddingCache(CacheDir, new string('0', 64), 32, 4);
        Assert.Empty(again.Warnings);
        using var stored = again.TryGet(key);
        Assert.Equal([1f, 2f, 3f, 4f], stored!.data<float>().ToArray());
    }
}
