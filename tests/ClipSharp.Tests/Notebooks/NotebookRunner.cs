using ClipSharp.Settings;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;

namespace ClipSharp.Tests.Notebooks;

/// <summary>Runs a notebook in the real dotnet-interactive kernel (the workspace's local <c>dotnet-repl</c> tool), as
/// VS Code would, on the reference data, and reads back every cell's outputs.</summary>
public static class NotebookRunner
{
    public sealed record Output(string Type, string Text);
    public sealed record Cell(int Index, string Source, IReadOnlyList<Output> Outputs)
    {
        public IEnumerable<string> Errors => Outputs.Where(o => o.Type == "error").Select(o => o.Text);
        public IEnumerable<string> Html => Outputs.Where(o => o.Type == "text/html").Select(o => o.Text);
        public string Text => string.Concat(Outputs.Where(o => o.Type is "text/plain" or "stream").Select(o => o.Text));
    }
    /// <summary>OutputBytes: the size of the executed notebook as dotnet-repl saved it.</summary>
    public sealed record Result(int ExitCode, IReadOnlyList<Cell> CodeCells, string Log, long OutputBytes = 0)
    {
        public IEnumerable<string> Errors => CodeCells.SelectMany(c => c.Errors);
        public string Describe() =>
            $"exit code {ExitCode}; errors:\n{string.Join("\n", Errors)}\nlog:\n{Log[^Math.Min(Log.Length, 3000)..]}";
    }

    public static string NotebooksDirectory => Path.Combine(ClipSettings.Current.Root, "notebooks");

    /// <summary>The environment that points a notebook at the reference data.</summary>
    public static Dictionary<string, string> ReferenceEnvironment() => new()
    {
        ["CLIP_MODEL"] = Reference.Model("tiny-rn.pt"),
        ["CLIP_DATA"] = Reference.Images,
        ["CLIP_LABELS"] = Path.Combine(Reference.Images, "labels.csv"),
        ["CLIP_VOCAB"] = Reference.Vocab,
    };

    static readonly ConcurrentDictionary<string, Lazy<Result>> onReference = new();

    /// <summary>A workspace notebook run once on the reference data; later calls share the result.</summary>
    public static Result RunOnReference(string name) =>
        onReference.GetOrAdd(name, n => new Lazy<Result>(() =>
            Run(Path.Combine(NotebooksDirectory, n + ".ipynb"), ReferenceEnvironment()))).Value;

    static readonly Lazy<bool> libraryBuilt = new(BuildLibrary);

    /// <summary>Runs in the notebook's folder, as VS Code does, unless <paramref name="workingDirectory"/> says
    /// otherwise.</summary>
    public static Result Run(string notebook, IReadOnlyDictionary<string, string> environment,
        string? workingDirectory = null)
    {
        _ = libraryBuilt.Value;
        string output = Path.Combine(Path.GetTempPath(), $"clip-notebook-{Guid.NewGuid():N}.ipynb");
        var start = new ProcessStartInfo("dotnet",
            ["repl", "--run", Path.GetFullPath(notebook), "--exit-after-run", "--output-path", output])
        {
            WorkingDirectory = workingDirectory ?? Path.GetDirectoryName(Path.GetFullPath(notebook))!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (key, value) in environment) start.Environment[key] = value;
        var (code, log) = RunProcess(start, TimeSpan.FromMinutes(10));
        try
        {
            return File.Exists(output)
                ? new Result(code, ReadCodeCells(output), log, new FileInfo(output).Length)
                : new Result(code, [], log);
        }
        finally
        {
            File.Delete(output);
        }
    }

    /// <summary>Notebooks run in the local dotnet-repl tool and reference the Release build of
    /// ClipSharp.Notebooks.dll: restore the one and build the other from the current sources.</summary>
    static bool BuildLibrary()
    {
        var (restored, restoreLog) = RunProcess(new ProcessStartInfo("dotnet", ["tool", "restore"])
        {
            WorkingDirectory = ClipSettings.Current.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }, TimeSpan.FromMinutes(10));
        if (restored != 0)
            throw new InvalidOperationException($"dotnet tool restore (for dotnet-repl) failed:\n{restoreLog}");
        string project = Path.Combine(ClipSettings.Current.Root, "src", "ClipSharp.Notebooks",
            "ClipSharp.Notebooks.csproj");
        var (code, log) = RunProcess(new ProcessStartInfo("dotnet",
            ["build", project, "-c", "Release", "--no-restore", "-v", "q", "-nologo"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }, TimeSpan.FromMinutes(10));
        if (code != 0) throw new InvalidOperationException($"Building ClipSharp.Notebooks (Release) failed:\n{log}");
        return true;
    }

    internal static (int Code, string Log) RunProcess(ProcessStartInfo start, TimeSpan timeout)
    {
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException(
                $"{start.FileName} {string.Join(" ", start.ArgumentList)} did not finish in {timeout}");
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>Debian's headless Chromium, when installed (.ci/run installs it).</summary>
    public static string? Chromium =>
        new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists);

    /// <summary>The page's DOM after its scripts ran in headless Chromium, offline.</summary>
    public static string RenderInBrowser(string htmlBody, int virtualMilliseconds = 5000)
    {
        string page = Path.Combine(Path.GetTempPath(), $"clip-chart-{Guid.NewGuid():N}.html");
        File.WriteAllText(page,
            $"<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body>{htmlBody}</body></html>");
        try
        {
            string chromium = Chromium
                ?? throw new InvalidOperationException("chromium is not installed (apt-get install chromium)");
            var (code, dom) = RunProcess(new ProcessStartInfo(chromium,
                ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    $"--virtual-time-budget={virtualMilliseconds}", "--dump-dom", new Uri(page).AbsoluteUri])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            }, TimeSpan.FromMinutes(2));
            if (code != 0) throw new InvalidOperationException($"chromium exited with {code}:\n{dom}");
            return dom;
        }
        finally
        {
            File.Delete(page);
        }
    }

    public static IReadOnlyList<Cell> ReadCodeCells(string ipynb)
    {
        var cells = JsonNode.Parse(File.ReadAllText(ipynb))!["cells"]!.AsArray();
        return [.. cells.Select((c, i) => (c: c!, i)).Where(x => (string?)x.c["cell_type"] == "code")
            .Select(x => new Cell(x.i, JoinLines(x.c["source"]),
                [.. (x.c["outputs"]?.AsArray() ?? []).SelectMany(o => ReadOutputs(o!))]))];
    }

    static IEnumerable<Output> ReadOutputs(JsonNode output)
    {
        string type = (string)output["output_type"]!;
        if (type == "error") yield return new Output("error", $"{output["ename"]}: {output["evalue"]}");
        else if (type == "stream") yield return new Output("stream", JoinLines(output["text"]));
        else if (output["data"] is JsonObject data)
            foreach (var (mime, value) in data) yield return new Output(mime, JoinLines(value));
    }

    static string JoinLines(JsonNode? node) => node switch
    {
        JsonArray lines => string.Concat(lines.Select(l => (string?)l)),
        null => "",
        _ => (string?)node ?? "",
    };
}
