namespace ClipSharp.Notebooks;

/// <summary>A chart could not be saved as an image: no headless Chromium, or Chromium failed on it. The message names
/// the file being written and, when the browser is missing, the package to install.</summary>
public sealed class ChartExportException(string message, Exception? inner = null) : ClipSharpException(message, inner);
