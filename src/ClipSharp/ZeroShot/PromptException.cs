namespace ClipSharp.ZeroShot;

/// <summary>Class names or templates that cannot make a classifier (too few, blank, or indistinguishable once the
/// tokenizer has cleaned them); the message names them, and the file and line they came from when there is one.
/// </summary>
public sealed class PromptException(string message, Exception? inner = null) : ClipSharpException(message, inner);
