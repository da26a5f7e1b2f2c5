namespace ClipSharp.Evaluation;

/// <summary>One labelled image: its path and its class index.</summary>
public sealed record LabeledImage(string Path, int Label);
