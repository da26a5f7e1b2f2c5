using System.Text.Json.Nodes;
using ClipSharp.Tests.Cli;

namespace ClipSharp.Tests.Analyses;

/// <summary>Runs an analysis verb on the tiny reference model with a private embedding cache and parses its
/// JSON.</summary>
public sealed class AnalysisCli : IDisposable
{
    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("clip-analyses-").FullName;

    public string[] Common => ["--model", Reference.Model("tiny-rn.pt"), "--vocab", Reference.Vocab,
        "--cache", Path.Combine(Directory, "cache")];

    public CliRunner.Result Run(params string[] args) => CliRunner.Run([.. args, .. Common]);

    public JsonObject Json(params string[] args)
    {
        var result = Run([.. args, "--format", "json"]);
        Assert.True(result.ExitCode == 0, result.Error);
        return JsonNode.Parse(result.Output)!.AsObject();
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, true);
}
