namespace ClipSharp;

/// <summary>The base of every error the library reports about its inputs (a checkpoint, an image, a data set, a
/// prompt, a download, a cache entry): the message names the file, key, row or line at fault, and a caller may show
/// it alone, without a stack trace. Anything else that escapes is a bug.</summary>
public class ClipSharpException(string message, Exception? inner = null) : Exception(message, inner);
