namespace ClipSharp.Checkpoints;

/// <summary>A checkpoint that cannot be read or does not fit the model; the message names the file and the keys at
/// fault.</summary>
public sealed class CheckpointException(string message, Exception? inner = null) : ClipSharpException(message, inner);
