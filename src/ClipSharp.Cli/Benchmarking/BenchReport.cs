using System.Globalization;
using ClipSharp.Cli.Rendering;
using static TorchSharp.torch;

namespace ClipSharp.Cli.Benchmarking;

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
public sealed record BenchReport(MachineInfo Machine, Dictionary<string, double> MatmulPeakGflops,
    double ImageGflopsPerImage, IReadOnlyList<Measurement> Cases, BenchAccuracy? Bf16Accuracy,
    IReadOnlyList<EvaluationTiming> Evaluations, IReadOnlyList<string> Notes)
{
    /// <summary>Cases whose runs spread too far to trust (see <see cref="Stability"/>).</summary>
    public int UnstableCases => Cases.Count(c => c.Unstable);

    public void WriteText(CliContext context)
    {
        var f = CultureInfo.InvariantCulture;
        var output = context.Output;
        output.WriteLine(Machine);
        output.WriteLine("matmul peak (2048³): " +
            string.Join(", ", MatmulPeakGflops.Select(p => string.Create(f, $"{p.Key} {p.Value:F0} GFLOP/s"))));
        output.WriteLine();
        var table = new TextTable("case", "dtype", "runs", "median ms", "min", "max", "rate", "GFLOP/s", "% peak",
            "peak RSS", "").AlignRight(2, 3, 4, 5, 6, 7, 8, 9);
        foreach (var c in Cases)
            table.Add(c.Case, c.Dtype, c.Runs.ToString(f), string.Create(f, $"{c.MedianMs:F1}"),
                string.Create(f, $"{c.MinMs:F1}"),
                string.Create(f, $"{c.MaxMs:F1}"), string.Create(f, $"{c.ItemsPerSecond:F1} {c.Unit}/s"),
                string.Create(f, $"{c.GflopPerSecond:F0}"), string.Create(f, $"{c.PercentOfPeak:F0}%"),
                string.Create(f, $"{c.PeakRssMib:F0} MiB"), c.Unstable ? "unstable" : "");
        table.Write(context, OutputFormat.Table);
        if (UnstableCases > 0)
            output.WriteLine(string.Create(f, $"note: {UnstableCases} case(s) unstable: max/min over their runs " +
                $"above {Stability.MaxSpread}× (the machine was busy); run again for numbers to compare"));
        if (Bf16Accuracy is { } a)
            output.WriteLine(string.Create(f, $"\nbf16 vs fp32 image features on {a.Images} images: cosine min " +
                $"{a.MinCosine:F6}, mean {a.MeanCosine:F6}"));
        foreach (var e in Evaluations)
            output.WriteLine(string.Create(f, $"\nevaluation of {e.Images} images ({e.Dtype}): image tower alone " +
                $"{e.EncodeSeconds:F2} s; end to end (decode, preprocess, encode, classify) {e.EndToEndSeconds:F2} s " +
                $"= {e.Ratio:F2}×; with the embedding cache: first run {e.CachedFirstSeconds:F2} s, then a new " +
                $"prompt set {e.NewPromptsSeconds:F3} s ({e.NewPromptsEncodedImages} images encoded)"));
        foreach (var note in Notes) output.WriteLine($"note: {note}");
    }
}
