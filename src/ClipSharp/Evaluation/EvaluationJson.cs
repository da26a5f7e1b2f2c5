using System.Text.Json.Nodes;

namespace ClipSharp.Evaluation;

/// <summary>An evaluation as one JSON object (what <c>clip evaluate --format json</c> prints): accuracy with its
/// Wilson interval, the confusion matrix (rows true, columns predicted) and, for two classes, ROC AUC and average
/// precision of the second class. Undefined numbers (NaN) are null.</summary>
public static class EvaluationJson
{
    public static JsonObject Of(EvaluationResult result)
    {
        var interval = result.AccuracyInterval;
        int n = result.Classes.Count;
        var json = new JsonObject
        {
            ["classes"] = new JsonArray([.. result.Classes.Select(c => JsonValue.Create(c))]),
            ["images"] = result.Predictions.Count,
            ["correct"] = result.Correct,
            ["accuracy"] = result.Accuracy,
            ["accuracy_ci95"] = new JsonArray(Number(interval.Low), Number(interval.High)),
            ["confusion"] = new JsonArray([.. Enumerable.Range(0, n).Select(a => (JsonNode)new JsonArray(
                [.. Enumerable.Range(0, n).Select(p => JsonValue.Create(result.Confusion.Counts[a, p]))]))]),
        };
        if (result.Binary is { } binary)
        {
            json["roc_auc"] = Number(binary.RocAuc);
            json["average_precision"] = Number(binary.AveragePrecision);
        }
        return json;
    }

    /// <summary>A number, or null for NaN (JSON has no NaN).</summary>
    public static JsonNode? Number(double value) => double.IsFinite(value) ? JsonValue.Create(value) : null;

    /// <summary>Indented JSON text.</summary>
    public static string Text(JsonNode node) =>
        node.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
}
