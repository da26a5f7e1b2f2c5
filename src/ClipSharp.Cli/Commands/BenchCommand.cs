using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using ClipSharp.Modeling;
using static TorchSharp.torch;

namespace ClipSharp.Cli.Commands;

/// <summary><c>clip bench</c>: encoding speed and peak memory of a model (RN50 with random weights by default).</summary>
static class BenchCommand
{
    public static Command Create(CliContext context)
    {
        var model = new Option<string?>("--model", "-m") { Description = "A registry name or checkpoint; default: RN50's architecture with random weights (nothing to download)" };
        var imageBatches = new Option<int[]>("--image-batch") { Description = "Image batch sizes", DefaultValueFactory = _ => [1, 8, 32], AllowMultipleArgumentsPerToken = true };
        var textBatches = new Option<int[]>("--text-batch") { Description = "Prompt batch sizes", DefaultValueFactory = _ => [2, 100], AllowMultipleArgumentsPerToken = true };
        var runs = new Option<int>("--runs") { Description = "Timed runs per case (after one warm-up)", DefaultValueFactory = _ => 5 };
        var json = new Option<bool>("--json") { Description = "Print the results as JSON" };
        var command = new Command("bench", "Measure image and text encoding throughput and peak memory") { model, imageBatches, textBatches, runs, json };
        command.SetAction(parse =>
        {
            using var clip = parse.GetValue(model) is { } m ? ClipModel.Load(m, progress: context.DownloadProgress()) : new ClipModel(ClipConfig.RN50).PrepareForInference();
            int n = Math.Max(1, parse.GetValue(runs));
            var results = new List<BenchResult>();
            foreach (int b in parse.GetValue(imageBatches)!)
            {
                using var images = randn(b, 3, clip.ImageResolution, clip.ImageResolution);
                results.Add(Measure($"image batch {b}", b, n, () => clip.EncodeImage(images).Dispose()));
            }
            foreach (int b in parse.GetValue(textBatches)!)
            {
                // Prompts of the tutorial's length: SOT, 4 words, EOT.
                using var tokens = zeros(b, clip.ContextLength, ScalarType.Int32);
                tokens[.., ..6] = tensor(new[] { 49406, 320, 1125, 539, 320, 49407 });
                results.Add(Measure($"text batch {b}", b, n, () => clip.EncodeText(tokens).Dispose()));
            }
            if (parse.GetValue(json))
                context.Output.WriteLine(JsonSerializer.Serialize(new { machine = Machine(), results }, new JsonSerializerOptions { WriteIndented = true }));
            else
            {
                context.Output.WriteLine(Machine());
                context.Output.WriteLine($"{"case",-16} {"median ms",10} {"min ms",10} {"max ms",10} {"items/s",10} {"peak RSS MiB",13}");
                foreach (var r in results)
                    context.Output.WriteLine($"{r.Case,-16} {r.MedianMs,10:F1} {r.MinMs,10:F1} {r.MaxMs,10:F1} {r.ItemsPerSecond,10:F2} {r.PeakRssMiB,13:F0}");
            }
            return 0;
        });
        return command;
    }

    public sealed record BenchResult(string Case, int Items, double MedianMs, double MinMs, double MaxMs, double ItemsPerSecond, double PeakRssMiB);

    static BenchResult Measure(string name, int items, int runs, Action action)
    {
        action(); // warm-up
        var times = new List<double>();
        for (int i = 0; i < runs; i++)
        {
            var sw = Stopwatch.StartNew();
            action();
            times.Add(sw.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        double median = times[times.Count / 2];
        return new BenchResult(name, items, median, times[0], times[^1], items * 1000 / median, PeakRssMiB());
    }

    /// <summary>The process's peak resident memory so far (VmHWM), in MiB.</summary>
    static double PeakRssMiB()
    {
        try
        {
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:"));
            if (line is not null) return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
        }
        catch (IOException) { }
        return Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0;
    }

    static string Machine() =>
        $"{Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}, torch threads {get_num_threads()}";
}
