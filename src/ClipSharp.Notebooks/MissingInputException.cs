namespace ClipSharp.Notebooks;

/// <summary>A notebook's weights or data are missing. The kernel shows an error as its <c>ToString()</c>, stack trace
/// and inner exceptions included; this one shows only what is missing and how to get it.</summary>
public sealed class MissingInputException(string message, Exception? inner = null) : ClipSharpException(message, inner)
{
    public override string ToString() => Message;
}
