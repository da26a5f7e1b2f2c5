using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using ClipSharp.Analyses;
using ClipSharp.Cli.OptionGroups;
using ClipSharp.Evaluation;
using ClipSharp.ZeroShot;

namespace ClipSharp.Cli.Commands;

/// <summary><c>clip probe</c>: a linear probe (multinomial logistic regression) on the cached image features, trained
/// on the first K images of each class and tested on the rest, beside the zero-shot classifier on the same
/// images.</summary>
sealed class ProbeCommand : Command
{
    readonly CliContext context;
    readonly DataOptions options = new(defaultLimit: null);
    readonly Option<string> shots = new Option<string>("--shots", "-k")
    {
        Description = "Training images per class: K, or a list such as 1,2,4,8,16 for a learning curve",
        Required = true,
    }.Check(text => ShotsProblem(text));
    readonly Option<double> l2 = new Option<double>("--l2")
    {
        Description = "The L2 penalty λ in mean cross-entropy + (λ/2)·‖W‖² (the bias is not penalised)",
        DefaultValueFactory = _ => LinearProbe.DefaultL2,
    }.Check(v => !(v >= 0) || double.IsInfinity(v) ? $"--l2 must be ≥ 0; got {v}" : null);

    public ProbeCommand(CliContext context)
        : base("probe", "Few-shot linear probe on image features versus zero-shot, on a labelled image set")
    {
        this.context = context;
        Options.Add(shots);
        Options.Add(l2);
        options.AddTo(this);
        SetAction(Run);
    }

    int Run(ParseResult parse)
    {
        var shotList = ParseShots(parse.GetValue(shots)!);
        double lambda = parse.GetValue(l2);
        var (promptSet, set) = options.PromptsAndSet(parse, context);
        if (set.Images.Count == 0) throw new CliException($"No images in '{set.Source}'");

        using var clip = options.LoadModel(parse, context);
        using var cache = options.Cache(parse, clip);
        using var classifier = ZeroShotClassifier.Create(clip, promptSet, options.Tokenizer(parse));
        using var features = new Evaluator(clip, cache).ImageFeatures([.. set.Images.Select(i => i.Path)],
            context.Counter("Images", set.Images.Count));
        context.StopProgress();
        using var probe = new FewShotProbe(set, features, classifier);
        var splits = shotList.Select(probe.FirstK).ToList(); // every K is checked before any training
        var results = splits.Select(s => probe.Run(s, lambda)).ToList();
        foreach (var r in results.Where(r => !r.Probe.Converged))
            context.Error.WriteLine($"warning: the {r.Shots}-shot probe stopped after {r.Probe.Iterations} " +
                $"iterations with gradient {r.Probe.GradientMax:G3} (tolerance {LinearProbe.DefaultTolerance:G1})");

        if (options.WantsJson(parse)) DataOptions.WriteJson(context, Json(results, set.Classes));
        else WriteTable(context, parse.GetValue(options.Model)!, promptSet, set, lambda, results);
        return 0;
    }

    static string? ShotsProblem(string text)
    {
        try { ParseShots(text); return null; }
        catch (CliException e) { return e.Message; }
    }

    /// <summary>"4" or "1,2,4,8,16": distinct positive integers, in the order given.</summary>
    static List<int> ParseShots(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var values = new List<int>();
        foreach (var part in parts)
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int k) || k < 1)
                throw new CliException(
                    $"--shots: '{part}' is not a positive whole number (give K or a list like 1,2,4,8,16)");
            if (values.Contains(k)) throw new CliException($"--shots: {k} is given twice");
            values.Add(k);
        }
        return values;
    }

    static JsonObject Json(IReadOnlyList<ProbeResult> results, IReadOnlyList<string> classes)
    {
        var classNames = new JsonArray([.. classes.Select(c => JsonValue.Create(c))]);
        if (results.Count == 1)
        {
            var single = ProbeJson.Of(results[0], classes);
            single["classes"] = classNames;
            return single;
        }
        return new JsonObject
        {
            ["classes"] = classNames,
            ["results"] = new JsonArray([.. results.Select(r => (JsonNode)ProbeJson.Of(r, classes))]),
        };
    }

    static void WriteTable(CliContext context, string model, PromptSet prompts, LabeledImageSet set, double l2,
        IReadOnlyList<ProbeResult> results)
    {
        var inv = CultureInfo.InvariantCulture;
        context.Output.WriteLine($"Model: {model}; zero-shot prompts: {prompts}; " +
            $"data: {set.Source} ({set.Images.Count} images)");
        context.Output.WriteLine(string.Create(inv,
            $"Linear probe: L2-normalised features, λ = {l2:G}, first K images of each class train"));
        context.Output.WriteLine($"{"K",4} {"train",6} {"test",6} {"probe acc",10} {"95% CI",18} {"zero-shot acc",14}");
        foreach (var r in results)
        {
            int correct = r.Predictions.Count(p => p.Correct);
            var ci = WilsonInterval.Of(correct, r.TestImages);
            context.Output.WriteLine(string.Create(inv,
                $"{r.Shots,4} {r.TrainImages,6} {r.TestImages,6} {r.TestAccuracy,10:F4} {ci,18} " +
                $"{r.ZeroShotTestAccuracy,14:F4}"));
        }
    }
}
