using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Text.RegularExpressions;
using ClipSharp.Cli.Commands;

namespace ClipSharp.Cli;

/// <summary>The <c>clip</c> command: every verb, with output and errors written to the given writers (tests inject them).</summary>
public static class ClipCli
{
    public static RootCommand Build(CliContext context) => new("CLIP zero-shot image classification in .NET (TorchSharp): tokenize, preprocess, embed, classify and evaluate with the released OpenAI models.")
    {
        ModelsCommand.Create(context),
        DownloadCommand.Create(context),
        ConvertCommand.Create(context),
        TokenizeCommand.Create(context),
        PreprocessCommand.Create(context),
        EmbedCommand.Create(context),
        ClassifyCommand.Create(context),
        EvaluateCommand.Create(context),
        ProbeCommand.Create(context),
        SearchCommand.Create(context),
        BenchCommand.Create(context),
        SaliencyCommand.Create(context),
    };

    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var context = new CliContext(output, error);
        var root = Build(context);
        var config = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false };
        try
        {
            var parse = root.Parse(args);
            if (parse.Action is ParseErrorAction && parse.Errors.Count > 0) return UsageError(parse, error);
            return parse.Invoke(config);
        }
        catch (Exception e) when (UserError(e) is { } message)
        {
            error.WriteLine($"error: {message}");
            return 1;
        }
    }

    // A parse error is one line (the first error) and a pointer to the verb's help, not the whole help text.
    static int UsageError(ParseResult parse, TextWriter error)
    {
        var verbs = new List<string>();
        for (var c = parse.CommandResult; c.Parent is CommandResult parent; c = parent) verbs.Insert(0, c.Command.Name);
        string first = Regex.Replace(parse.Errors[0].Message, @"\s+", " ").Trim();
        first = Regex.Replace(first, @"System\.Nullable`1\[([^\]]+)\]", "$1"); // int? reads as System.Int32
        error.WriteLine($"error: {first}");
        error.WriteLine($"(see {string.Join(' ', ["clip", .. verbs])} --help)");
        return 1;
    }

    // Failures a user can act on are reported by their message alone; anything else keeps its type for a bug report.
    static string? UserError(Exception e) => e switch
    {
        AggregateException { InnerExceptions.Count: 1 } a => UserError(a.InnerException!),
        ClipSharpException or FileNotFoundException or DirectoryNotFoundException or InvalidDataException
            or IOException or ArgumentException or UnauthorizedAccessException or CliException => e.Message,
        _ => Environment.GetEnvironmentVariable("CLIP_DEBUG") is null ? $"{e.GetType().Name}: {e.Message} (set CLIP_DEBUG=1 for the stack trace)" : null,
    };
}

/// <summary>A usage error the command reports in one line.</summary>
public sealed class CliException(string message) : Exception(message);
