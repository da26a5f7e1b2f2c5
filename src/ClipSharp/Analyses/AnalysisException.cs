namespace ClipSharp.Analyses;

/// <summary>A data set or query an analysis cannot use (too few images of a class for the shots asked, an empty
/// search set); the message names the data and what is missing.</summary>
public sealed class AnalysisException(string message) : ClipSharpException(message);
