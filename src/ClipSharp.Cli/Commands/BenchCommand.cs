using ClipSharp.Settings;
using ClipSharp.Loading;
using System.CommandLine;
using System.Text.Json;
using ClipSharp.Cli.Benchmarking;
using ClipSharp.Cli.OptionGroups;
using ClipSharp.Imaging;
using ClipSharp.Modeling;
using ClipSharp.Text;
using static TorchSharp.torch;

namespace ClipSharp.Cli.Commands;

/// <summary><c>clip bench</c>: image and text encoding speed (RN50 with random weights by default) in fp32 and bf16,
/// GFLOP/s against a matrix-multiply peak measured in the same run, peak memory per case, bf16's accuracy cost, and
/// the tutorial's 100-image evaluation end to end.</summary>
sealed class BenchCommand : Command
{
    readonly CliContext context;
    readonly Option<string?> model = new("--model", "-m")
    {
        Description = "A registry name or checkpoint; default: RN50's architecture with random weights " +
            "(nothing to download)",
    };
    readonly Option<string[]> dtypes = DTypes.ListOption("Image tower compute types to measure; default fp32 bf16",
        DTypes.Fp32, DTypes.Bf16);
    readonly Option<int[]> imageBatches = new Option<int[]>("--image-batch")
    {
        Description = "Image batch sizes", DefaultValueFactory = _ => [1, 8, 32], AllowMultipleArgumentsPerToken = true,
    }.Check(PositiveSizes);
    readonly Option<int[]> textBatches = new Option<int[]>("--text-batch")
    {
        Description = "Prompt batch sizes (the tutorial's prompts and ensembling templates; fp32)",
        DefaultValueFactory = _ => [2, 100], AllowMultipleArgumentsPerToken = true,
    }.Check(PositiveSizes);
    readonly Option<int> runs = new Option<int>("--runs")
    {
        Description = "Timed runs per case at least, after two warm-ups (a case whose slowest run takes over " +
            $"{Stability.MaxSpread}× its fastest is marked unstable)",
        DefaultValueFactory = _ => 5,
    }.Positive();
    readonly Option<double> minSeconds = new Option<double>("--min-seconds")
    {
        Description = "Each case also runs until this much time has passed (at most 200 runs), so that a fast case's " +
            "median comes from many runs, as ONNX Runtime's side of ../shared/ort-anchor/compare.sh measures (0 = " +
            "exactly --runs)",
        DefaultValueFactory = _ => 3,
    }.Check(s => s is >= 0 and <= 600 ? null : $"--min-seconds must be between 0 and 600; got {s}");
    readonly Option<int> images = new Option<int>("--images")
    {
        Description = "Images in the end-to-end evaluation (synthetic 1024² PNGs, made once under " +
            ".cache/bench-images-v2)",
        DefaultValueFactory = _ => 100,
    }.Positive();
    readonly Option<string?> data = new Option<string?>("--data")
    {
        Description = "Evaluate end to end on this labelled folder instead (e.g. data/glasses: its labels.csv or " +
            "train.csv, the first --images rows)",
    }.Check(d => d is not null && !Directory.Exists(d) ? $"Data folder '{d}' not found" : null);
    readonly Option<bool> noEvaluate = new("--no-evaluate") { Description = "Skip the end-to-end evaluation" };
    readonly Option<bool> json = new("--json")
    {
        Description = "Print the results as JSON (an unstable case has \"unstable\": true)",
    };
    readonly Option<string?> vocab = new ModelOptions().Vocab;

    public BenchCommand(CliContext context)
        : base("bench", "Measure encoding throughput, GFLOP/s against the machine's matmul peak, peak memory, bf16 " +
            "accuracy and end-to-end evaluation time")
    {
        this.context = context;
        foreach (var option in new Option[]
            { model, dtypes, imageBatches, textBatches, runs, minSeconds, images, data, noEvaluate, json, vocab })
            Options.Add(option);
        SetAction(Run);
    }

    static string? PositiveSizes(int[] sizes) => sizes.Any(b => b < 1)
        ? $"Batch sizes must be positive; got {string.Join(", ", sizes)}"
        : null;

    int Run(ParseResult parse)
    {
        var n = new RunCount(parse.GetValue(runs), parse.GetValue(minSeconds));
        int imageCount = parse.GetValue(images);
        var types = parse.GetValue(dtypes)!.Distinct().ToList();
        void Progress(string what) => context.Error.WriteLine(what);

        var machine = MachineInfo.Current();
        var notes = new List<string>();
        if (types.Contains(DTypes.Bf16) && !machine.HasBf16)
            notes.Add("this CPU reports neither AVX-512-BF16 nor AMX-BF16: bf16 runs emulated, slowly");
        Progress("Measuring the matmul peak…");
        var peaks = types.ToDictionary(t => t, t => MachineInfo.MatmulPeak(DTypes.ScalarType(t)));

        ClipTokenizer? tokenizer = null;
        try { tokenizer = ClipTokenizer.Load(parse.GetValue(vocab)); }
        catch (FileNotFoundException)
        {
            notes.Add("no BPE vocabulary (--vocab, CLIP_VOCAB or weights/): text cases use synthetic 16-token " +
                "prompts and the evaluation is skipped");
        }

        Progress($"Preparing {imageCount} synthetic images…");
        string imageDirectory = SyntheticImages.Ensure(
            Path.Combine(ClipSettings.Current.Root, ".cache", "bench-images-v2"), imageCount);
        var imagePaths = SyntheticImages.Paths(imageDirectory, imageCount);
        string evaluationDirectory = parse.GetValue(data) ?? imageDirectory;

        var cases = new List<Measurement>();
        var evaluations = new List<EvaluationTiming>();
        BenchAccuracy? accuracy = null;
        Tensor? fp32Features = null;
        double imageGFlopsPerImage = 0;
        foreach (string type in types)
        {
            var dtype = DTypes.ScalarType(type);
            Progress($"Loading the model ({type})…");
            using var clip = LoadModel(parse.GetValue(model), dtype, context);
            double imageGFlops = imageGFlopsPerImage = FlopCount.ImageGFlops(clip.Config);
            using var sample = new ClipPreprocessor(clip.ImageResolution).Batch(imagePaths.Take(32).ToList()).Images;
            foreach (int b in parse.GetValue(imageBatches)!)
            {
                Progress($"image batch {b} ({type})…");
                using var input = Repeat(sample, b);
                cases.Add(Measurement.Run($"image batch {b}", type, b, "img", n,
                    () => clip.EncodeImage(input).Dispose(),
                    b * imageGFlops, peaks[type]));
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
                        () => clip.EncodeText(tokens).Dispose(), b * FlopCount.TextGFlops(clip.Config, positions),
                        peaks[type]));
                }

            if (tokenizer is not null && !parse.GetValue(noEvaluate))
            {
                Progress($"evaluation of {imageCount} images ({type})…");
                evaluations.Add(EvaluationTiming.Measure(clip, type, evaluationDirectory, imageCount, tokenizer,
                    Math.Min(n.Runs, 3)));
            }
        }
        fp32Features?.Dispose();
        if (types.Count == 1 && types[0] == DTypes.Bf16)
            notes.Add("bf16 accuracy needs fp32 too: run with --dtype fp32 bf16");

        var report = new BenchReport(machine, peaks, imageGFlopsPerImage, cases, accuracy, evaluations, notes);
        if (parse.GetValue(json))
            context.Output.WriteLine(JsonSerializer.Serialize(report,
                new JsonSerializerOptions
                {
                    WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
                }));
        else report.WriteText(context);
        return 0;
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
        if (tokenizer is not null)
            return ClipTokenizer.Tokenize(BenchPrompts.Take(count), contextLength, tokenizer: tokenizer);
        var ids = zeros(count, contextLength, ScalarType.Int32);
        ids[.., 0] = ClipTokenizer.StartOfText;
        ids[.., 1..15] = randint(1, 49000, [count, 14], dtype: ScalarType.Int32);
        ids[.., 15] = ClipTokenizer.EndOfText;
        return ids;
    }
}
