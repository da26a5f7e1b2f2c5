namespace ClipSharp.Text;

/// <summary>A text or text file that cannot be tokenized as given (too long, invalid UTF-8, a bad line); the message
/// names the text, or the file and line.</summary>
public sealed class TextException(string message, Exception? inner = null) : ClipSharpException(message, inner);
