namespace ClipSharp;

/// <summary>An output path the library refuses to write: a device, FIFO, directory or symbolic link, one of the
/// command's own inputs, or a place that cannot be written; the message names the path.</summary>
public sealed class OutputPathException(string message, Exception? inner = null) : ClipSharpException(message, inner);
