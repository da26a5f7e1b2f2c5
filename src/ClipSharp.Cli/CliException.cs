namespace ClipSharp.Cli;

/// <summary>A usage error the command reports in one line.</summary>
public sealed class CliException(string message) : Exception(message);
