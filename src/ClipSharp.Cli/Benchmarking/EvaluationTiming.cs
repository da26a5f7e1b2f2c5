using System.Diagnostics;
using ClipSharp.Evaluation;
using ClipSharp.Imaging;
using ClipSharp.Modeling;
using ClipSharp.Text;
using ClipSharp.ZeroShot;

namespace ClipSharp.Cli.Benchmarking;

/// <summary>The tutorial's evaluation timed end to end (read, decode, preprocess, encode, classify) against the
/// image tower alone on the same images, and a second evaluation with a new prompt set served by the embedding
/// cache.</summary>
public sealed record EvaluationTiming(string Dtype, int Images, double EncodeSeconds, double EndToEndSeconds,
    double Ratio,
    double CachedFirstSeconds, double NewPromptsSeconds, int NewPromptsEncodedImages)
{
    static readonly string[] Classes = ["no glasses", "glasses"];

    /// <summary>The image tower alone and the whole evaluation are each timed <paramref name="runs"/> times,
    /// alternately
    /// (so both see the same machine), and their medians compared.</summary>
    public static EvaluationTiming Measure(ClipModel model, string dtype, string imageDirectory, int count,
        ClipTokenizer tokenizer, int runs)
    {
        var set = LabeledImageSet.Load(imageDirectory, Classes, limit: count);
        const int batchSize = 32; // the evaluator's

        var encodeTimes = new List<double>();
        var endToEndTimes = new List<double>();
        using (var batch = new ClipPreprocessor(model.ImageResolution).Batch([.. set.Images.Select(i => i.Path)]))
        {
            using (var _ = model.EncodeImage(batch.Images[..Math.Min(batchSize, set.Images.Count)])) { } // warm-up
            for (int run = 0; run < runs; run++)
            {
                encodeTimes.Add(Time(() =>
                {
                    for (int start = 0; start < set.Images.Count; start += batchSize)
                        model.EncodeImage(batch.Images[start..Math.Min(start + batchSize, set.Images.Count)]).Dispose();
                }));
                endToEndTimes.Add(Time(() => Evaluate(model, set, null, PromptSet.Create(Classes), tokenizer)));
            }
        }
        double encode = Median(encodeTimes), endToEnd = Median(endToEndTimes);

        string cacheDirectory = Path.Combine(Path.GetTempPath(), $"clip-bench-cache-{Guid.NewGuid():N}");
        try
        {
            using var cache = new EmbeddingCache(cacheDirectory, new string('0', 64), model.ImageResolution,
                model.Config.EmbedDim, model.ImageDType);
            double first = Time(() => Evaluate(model, set, cache, PromptSet.Create(Classes), tokenizer));
            var evaluator = new Evaluator(model, cache);
            var clock = Stopwatch.StartNew();
            using (var classifier = ZeroShotClassifier.Create(model, PromptSet.Create(
                ["a photo of a person without glasses", "a photo of a person wearing glasses"]), tokenizer))
                evaluator.Evaluate(set, classifier);
            return new EvaluationTiming(dtype, set.Images.Count, encode, endToEnd, endToEnd / encode, first,
                clock.Elapsed.TotalSeconds, evaluator.EncodedImages);
        }
        finally
        {
            if (Directory.Exists(cacheDirectory)) Directory.Delete(cacheDirectory, recursive: true);
        }
    }

    static void Evaluate(ClipModel model, LabeledImageSet set, EmbeddingCache? cache, PromptSet prompts,
        ClipTokenizer tokenizer)
    {
        using var classifier = ZeroShotClassifier.Create(model, prompts, tokenizer);
        new Evaluator(model, cache).Evaluate(set, classifier);
    }

    static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    static double Time(Action action)
    {
        var clock = Stopwatch.StartNew();
        action();
        return clock.Elapsed.TotalSeconds;
    }
}
