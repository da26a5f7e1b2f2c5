namespace ClipSharp.Evaluation;

/// <summary>One labelled image: its path, its class index, and where it came from (labels file and line, or folder).</summary>
public sealed record LabeledImage(string Path, int Label, string Origin);
