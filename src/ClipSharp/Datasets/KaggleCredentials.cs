using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ClipSharp.Evaluation;
using ClipSharp.Settings;

namespace ClipSharp.Datasets;

/// <summary>The user's Kaggle API credentials, found as the official client finds them: <c>KAGGLE_API_TOKEN</c>
/// (sent as a Bearer token), else <c>KAGGLE_USERNAME</c> + <c>KAGGLE_KEY</c>, else <c>kaggle.json</c>
/// (<c>{"username": …, "key": …}</c>) in <c>KAGGLE_CONFIG_DIR</c> or <c>~/.kaggle</c> (both sent as HTTP
/// Basic).</summary>
public sealed record KaggleCredentials(AuthenticationHeaderValue Header, string Source)
{
    const int MaxJsonBytes = 64 * 1024;

    /// <summary>How to give credentials, for messages after a 401/403.</summary>
    public const string HowToSet =
        "Set KAGGLE_USERNAME and KAGGLE_KEY (from kaggle.com → Settings → API → Create New Token), or put that " +
        "token's kaggle.json ({\"username\": \"…\", \"key\": \"…\"}) in ~/.kaggle/ (or KAGGLE_CONFIG_DIR), " +
        "or set KAGGLE_API_TOKEN to an API token; and accept the data set's terms on its Kaggle page";

    /// <summary>The first credentials found, or null when there are none.</summary>
    public static KaggleCredentials? Find()
    {
        var settings = ClipSettings.Current;
        string? Variable(string name) => settings.Variable(name)?.Trim();
        if (Variable("KAGGLE_API_TOKEN") is { } token)
            return new(new AuthenticationHeaderValue("Bearer", token), "KAGGLE_API_TOKEN");
        string? user = Variable("KAGGLE_USERNAME"), key = Variable("KAGGLE_KEY");
        if (user is not null && key is not null) return Basic(user, key, "KAGGLE_USERNAME/KAGGLE_KEY");
        string folder = Variable("KAGGLE_CONFIG_DIR")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".kaggle");
        string json = Path.Combine(folder, "kaggle.json");
        return File.Exists(json) ? FromJson(json) : null;
    }

    /// <summary>Reads a kaggle.json file; a malformed one is an error naming it (silently ignoring it would turn into
    /// a confusing 401 later).</summary>
    public static KaggleCredentials FromJson(string path)
    {
        // a regular file of bounded size: a FIFO or device in its place is refused, never read
        var bytes = RegularFile.ReadAll(path, MaxJsonBytes, (problem, inner) => new DataSetException(
            $"'{path}' {problem} (a kaggle.json has well under {MaxJsonBytes} bytes)", inner));
        try
        {
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            string? user = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("username", out var u)
                && u.ValueKind == JsonValueKind.String ? u.GetString() : null;
            string? key = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("key", out var k)
                && k.ValueKind == JsonValueKind.String ? k.GetString() : null;
            if (string.IsNullOrWhiteSpace(user) || string.IsNullOrWhiteSpace(key))
                throw new DataSetException($"'{path}' lacks the string fields \"username\" and \"key\"");
            return Basic(user, key, path);
        }
        catch (JsonException e) { throw new DataSetException($"'{path}' is not valid JSON: {e.Message}", e); }
    }

    static KaggleCredentials Basic(string user, string key, string source) =>
        new(new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{key}"))),
            source);

    /// <summary>Never prints the secret.</summary>
    public override string ToString() => $"Kaggle credentials from {Source}";
}
