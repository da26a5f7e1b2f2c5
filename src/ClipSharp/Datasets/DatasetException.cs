namespace ClipSharp;

/// <summary>A data set that cannot be fetched, unpacked or accepted (bad archive, missing credentials, a layout other
/// than expected); the message names the archive or folder and what is wrong with it.</summary>
public sealed class DatasetException(string message, Exception? inner = null) : ClipSharpException(message, inner);
