using System.Text.Json.Nodes;
using ClipSharp.Evaluation;

namespace ClipSharp.Analyses;

/// <summary>A probe result as the JSON <c>clip probe --format json</c> prints.</summary>
public static class ProbeJson
{
    public static JsonObject Of(ProbeResult result, IReadOnlyList<string> classes) => new()
    {
        ["shots"] = result.Shots,
        ["l2"] = result.Probe.L2,
        ["train_images"] = result.TrainImages,
        ["test_images"] = result.TestImages,
        ["test_accuracy"] = EvaluationJson.Number(result.TestAccuracy),
        ["zero_shot_test_accuracy"] = EvaluationJson.Number(result.ZeroShotTestAccuracy),
        ["iterations"] = result.Probe.Iterations,
        ["gradient_max"] = result.Probe.GradientMax,
        ["predictions"] = new JsonArray([.. result.Predictions.Select(p => (JsonNode)new JsonObject
        {
            ["file"] = p.File,
            ["label"] = p.Label,
            ["prediction"] = p.Prediction,
            ["probabilities"] = new JsonArray([.. p.Probabilities.Select(v => JsonValue.Create(v))]),
        })]),
    };
}
