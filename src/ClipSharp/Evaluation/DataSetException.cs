namespace ClipSharp.Evaluation;

/// <summary>A data set that cannot be fetched, unpacked or used (a bad archive, missing credentials, an unexpected
/// layout, a bad labels row): the message names the archive, folder, or labels file and row at fault, and why.
/// </summary>
public sealed class DataSetException(string message, Exception? inner = null) : ClipSharpException(message, inner);
