namespace ClipSharp.Cli.Benchmarking;

/// <summary>The text the bench encodes: the tutorial's prompts and ensembling templates over the glasses classes.
/// </summary>
public static class BenchPrompts
{
    static readonly string[] Classes = ["no glasses", "glasses", "a man with glasses", "a woman without glasses"];

    static readonly string[] Templates =
    [
        "{}", "a photo of {}.", "a photo of a person with {}.", "a close-up photo of a face with {}.",
        "a portrait with {}.",
        "a picture of someone with {}.", "a cropped photo of {}.", "a bright photo of {}.", "a dark photo of {}.",
        "a blurry photo of {}.", "a good photo of {}.", "a low resolution photo of {}.",
        "a black and white photo of {}.",
        "a painting of {}.", "a drawing of {}.", "a selfie of {}.", "a passport photo of {}.",
        "an official photo of {}.",
        "a studio portrait of {}.", "a candid photo of {}.", "a photo of the face of {}.", "a zoomed in photo of {}.",
        "a generated face of {}.", "a rendering of {}.", "a photo of one person, {}.",
    ];

    /// <summary>The first <paramref name="count"/> of templates × classes, cycling when more are asked for.</summary>
    public static IReadOnlyList<string> Take(int count) =>
        [.. Enumerable.Range(0, count).Select(i =>
            Templates[i / Classes.Length % Templates.Length].Replace("{}", Classes[i % Classes.Length]))];
}
