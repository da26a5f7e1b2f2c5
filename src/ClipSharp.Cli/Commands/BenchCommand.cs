using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using ClipSharp.Cli.Benchmarking;
using ClipSharp.Imaging;
using ClipSharp.Modeling;
using ClipSharp.Text;
using static TorchSharp.torch;
using ClipSharp.Loading;
using ClipSharp.Settings;

namespace ClipSharp.Cli.Commands;

/// <summary><c>clip bench</c>: image and text encoding speed (RN50 with random weights by default) in fp32 and bf16,
/// GFLOP/s against a matrix-multiply peak measured in the same run, peak memory per case, bf16's accuracy cost, and
/// the tutorial's 100-image evaluation end to end.</summary>
static class BenchCommand
{
    public static Command Create(CliContext context)
    {
        var model = new Option<string?>("--model", "-m") { Description = "A registry name or checkpoint; default: RN50's architecture with random weights (nothing to download)" };
        var dtypes = new Option<string[]>("--dtype") { Description = "Image tower compute types to measure", DefaultValueFactory = _ => ["fp32", "bf16"], AllowMultipleArgumentsPerToken = true };
        dtypes.AcceptOnlyFromAmong("fp32", "bf16");
        var imageBatches = new Option<int[]>("--image-batch") { Description = "Image batch sizes", DefaultValueFactory = _ => [1, 8, 32], AllowMultipleArgumentsPerToken = true };
        var textBatches = new Option<int[]>("--text-batch") { Description = "Prompt batch sizes (the tutorial's prompts and ensembling templates; fp32)", DefaultValueFactory = _ => [2, 100], AllowMultipleArgumentsPerToken = true };
        var runs = new Option<int>("--runs") { Description = "Timed runs per case, after two warm-ups", DefaultValueFactory = _ => 5 };
        var images = new Option<int>("--images") { Description = "Images in the end-to-end evaluation (synthetic 1024² PNGs, made once under .cache/bench-images-v2)", DefaultValueFactory = _ => 100 };
        var data = new Option<string?>("--data") { Description = "Evaluate end to end on this labelled folder instead (e.g. data/glasses: its labels.csv or train.csv, the first --images rows)" };
        var noEvaluate = new Option<bool>("--no-evaluate") { Description = "Skip the end-to-end evaluation" };
        var json = new Option<bool>("--json") { Description = "Print the results as JSON" };
        var vocab = CommonOptions.Vocab();
        var command = new Command("bench", "Measure encoding throughput, GFLOP/s against the machine's matmul peak, peak memory, bf16 accuracy and end-to-end evaluation time")
            { model, dtypes, imageBatches, textBatches, runs, images, data, noEvaluate, json, vocab };
        command.SetAction(parse =>
        {
            int n = parse.GetValue(runs), imageCount = parse.GetValue(images);
            if (n < 1) throw new CliException($"--runs must be positive; got {n}");
            if (imageCount < 1) throw new CliException($"--images must be positive; got {imageCount}");
            var batchSizes = parse.GetValue(imageBatches)!.Concat(parse.GetValue(textBatches)!).ToList();
            if (batchSizes.Any(b => b < 1)) throw new CliException($"Batch sizes must be positive; got {string.Join(", ", batchSizes)}");
            var types = parse.GetValue(dtypes)!.Distinct().ToList();
            if (parse.GetValue(data) is { } folder && !Directory.Exists(folder)) throw new CliException($"Data folder '{folder}' not found");
            void Progress(string what) => context.Error.WriteLine(what);

            var machine = MachineInfo.Current();
            var notes = new List<string>();
            if (types.Contains("bf16") && !machine.HasBf16) notes.Add("this CPU reports neither AVX-512-BF16 nor AMX-BF16: bf16 runs emulated, slowly");
            Progress("Measuring the matmul peak…");
            var peaks = types.ToDictionary(t => t, t => MachineInfo.MatmulPeak(CommonOptions.ScalarTypeOf(t)));

            ClipTokenizer? tokenizer = null;
            try { tokenizer = ClipTokenizer.Load(parse.GetValue(vocab)); }
            catch (FileNotFoundException) { notes.Add("no BPE vocabulary (--vocab, CLIP_VOCAB or weights/): text cases use synthetic 16-token prompts and the evaluation is skipped"); }

            Progress($"Preparing {imageCount} synthetic images…");
            string imageDirectory = SyntheticImages.Ensure(Path.Combine(ClipSettings.Current.Root, ".cache", "bench-images-v2"), imageCount);
            var imagePaths = SyntheticImages.Paths(imageDirectory, imageCount);
            string evaluationDirectory = parse.GetValue(data) ?? imageDirectory;

            var cases = new List<Measurement>();
            var evaluations = new List<EvaluationTiming>();
            BenchAccuracy? accuracy = null;
            Tensor? fp32Features = null;
            double imageGFlopsPerImage = 0;
            foreach (string type in types)
            {
                var dtype = CommonOptions.ScalarTypeOf(type);
                Progress($"Loading the model ({type})…");
                using var clip = LoadModel(parse.GetValue(model), dtype, context);
                double imageGFlops = imageGFlopsPerImage = FlopCount.ImageGFlops(clip.Config);
                using var sample = new ClipPreprocessor(clip.ImageResolution).Batch(imagePaths.Take(32).ToList()).Images;
                foreach (int b in parse.GetValue(imageBatches)!)
                {
                    Progress($"image batch {b} ({type})…");
                    using var input = Repeat(sample, b);
                    cases.Add(Measurement.Run($"image batch {b}", type, b, "img", n, () => clip.EncodeImage(input).Dispose(), b * imageGFlops, peaks[type]));
                }
                using var features = clip.EncodeImage(sample);
                if (dtype == ScalarType.Float32) fp32Features = features.clone();
                else if (fp32Features is not null) accuracy = BenchAccuracy.Compare(fp32Features, features);

                if (dtype == ScalarType.Float32)
                    foreach (int b in parse.GetValue(textBatches)!)
                    {
                        Progress($"text batch {b}…");
                        using var tokens = Prompts(b, clip.ContextLength, tokenizer);
                        int positions = (int)tokens.argmax(-1).max().item<long>() + 1;
                        cases.Add(Measurement.Run($"text batch {b} ({positions} positions)", type, b, "prompt", n,
                            () => clip.EncodeText(tokens).Dispose(), b * FlopCount.TextGFlops(clip.Config, positions), peaks[type]));
                    }

                if (tokenizer is not null && !parse.GetValue(noEvaluate))
                {
                    Progress($"evaluation of {imageCount} images ({type})…");
                    evaluations.Add(EvaluationTiming.Measure(clip, type, evaluationDirectory, imageCount, tokenizer, Math.Min(n, 3)));
                }
            }
            fp32Features?.Dispose();
            if (types.Count == 1 && types[0] == "bf16") notes.Add("bf16 accuracy needs fp32 too: run with --dtype fp32 bf16");

            var report = new BenchReport(machine, peaks, imageGFlopsPerImage, cases, accuracy, evaluations, notes);
            if (parse.GetValue(json)) context.Output.WriteLine(JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower }));
            else report.WriteText(context.Output);
            return 0;
        });
        return command;
    }

    static ClipModel LoadModel(string? name, ScalarType dtype, CliContext context)
    {
        if (name is not null) return ClipModel.Load(name, progress: context.DownloadProgress(), imageDType: dtype);
        manual_seed(20210226); // the same random weights for every dtype, so bf16 is compared with fp32 on one model
        return new ClipModel(ClipConfig.RN50).PrepareForInference(dtype);
    }

    /// <summary>The sample images cycled to <paramref name="count"/>.</summary>
    static Tensor Repeat(Tensor sample, int count)
    {
        long have = sample.shape[0];
        return cat([.. Enumerable.Range(0, (int)((count + have - 1) / have)).Select(_ => sample)], 0)[..count].clone();
    }

    static Tensor Prompts(int count, int contextLength, ClipTokenizer? tokenizer)
    {
        if (tokenizer is not null) return ClipTokenizer.Tokenize(BenchPrompts.Take(count), contextLength, tokenizer: tokenizer);
        var ids = zeros(count, contextLength, ScalarType.Int32);
        ids[.., 0] = ClipTokenizer.StartOfText;
        ids[.., 1..15] = randint(1, 49000, [count, 14], dtype: ScalarType.Int32);
        ids[.., 15] = ClipTokenizer.EndOfText;
        return ids;
    }
}

/// <summary>How far bf16 image features are from fp32 ones on the same model and images.</summary>
public sealed record BenchAccuracy(int Images, double MinCosine, double MeanCosine)
{
    public static BenchAccuracy Compare(Tensor fp32, Tensor bf16)
    {
        using var cosine = nn.functional.cosine_similarity(fp32, bf16, dim: 1);
        return new BenchAccuracy((int)fp32.shape[0], cosine.min().item<float>(), cosine.mean().item<float>());
    }
}

/// <summary>Everything one bench run measured, as text or JSON.</summary>
public sealed record BenchReport(MachineInfo Machine, Dictionary<string, double> MatmulPeakGflops, double ImageGflopsPerImage,
    IReadOnlyList<Measurement> Cases, BenchAccuracy? Bf16Accuracy, IReadOnlyList<EvaluationTiming> Evaluations, IReadOnlyList<string> Notes)
{
    public void WriteText(TextWriter output)
    {
        var f = CultureInfo.InvariantCulture;
        output.WriteLine(Machine);
        output.WriteLine("matmul peak (2048³): " + string.Join(", ", MatmulPeakGflops.Select(p => string.Create(f, $"{p.Key} {p.Value:F0} GFLOP/s"))));
        output.WriteLine();
        output.WriteLine($"{"case",-32} {"dtype",5} {"median ms",10} {"min",8} {"max",8} {"rate",14} {"GFLOP/s",8} {"% peak",7} {"peak RSS",9}");
        foreach (var c in Cases)
            output.WriteLine(string.Create(f, $"{c.Case,-32} {c.Dtype,5} {c.MedianMs,10:F1} {c.MinMs,8:F1} {c.MaxMs,8:F1} {c.ItemsPerSecond,8:F1} {c.Unit + "/s",-5} {c.GflopPerSecond,8:F0} {c.PercentOfPeak,6:F0}% {c.PeakRssMib,5:F0} MiB"));
        if (Bf16Accuracy is { } a)
            output.WriteLine(string.Create(f, $"\nbf16 vs fp32 image features on {a.Images} images: cosine min {a.MinCosine:F6}, mean {a.MeanCosine:F6}"));
        foreach (var e in Evaluations)
            output.WriteLine(string.Create(f, $"\nevaluation of {e.Images} images ({e.Dtype}): image tower alone {e.EncodeSeconds:F2} s; end to end (decode, preprocess, encode, classify) {e.EndToEndSeconds:F2} s = {e.Ratio:F2}×; " +
                $"with the embedding cache: first run {e.CachedFirstSeconds:F2} s, then a new prompt set {e.NewPromptsSeconds:F3} s ({e.NewPromptsEncodedImages} images encoded)"));
        foreach (var note in Notes) output.WriteLine($"note: {note}");
    }
}
