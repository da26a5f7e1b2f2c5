using System.CommandLine;

namespace ClipSharp.Cli.Commands;

/// <summary>Options several verbs share that belong to no group.</summary>
static class CommonOptions
{
    public static Option<string> Output(string description) =>
        new("--output", "-o") { Description = description, Required = true };
}
