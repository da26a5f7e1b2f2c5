namespace ClipSharp.Imaging;

/// <summary>An image that cannot be used; the message names the file and why.</summary>
public sealed class ImageException(string message, Exception? inner = null) : ClipSharpException(message, inner);
