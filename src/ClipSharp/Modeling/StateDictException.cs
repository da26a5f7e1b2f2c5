namespace ClipSharp.Modeling;

/// <summary>A state dict that does not describe a CLIP model or does not fit the one it describes (keys, shapes,
/// non-finite values, an absurd logit scale); the message names its source and the keys at fault. The loader reports
/// a file's as a <c>CheckpointException</c> with the same message.</summary>
public sealed class StateDictException(string message, Exception? inner = null) : ClipSharpException(message, inner);
