namespace ClipSharp;

/// <summary>A labelled image set that cannot be used: the message names the labels file and row (or the folder and
/// file) at fault, and why.</summary>
public sealed class DataSetException(string message, Exception? inner = null) : ClipSharpException(message, inner);
