using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Text.RegularExpressions;
using ClipSharp.Cli.Commands;
using ClipSharp.Cli.OptionGroups;

namespace ClipSharp.Cli;

/// <summary>The <c>clip</c> command: every verb, with input, output and errors on the given streams (tests inject
/// them).</summary>
public static class ClipCli
{
    public static RootCommand Build(CliContext context) => new("CLIP zero-shot image classification in .NET " +
        "(TorchSharp): tokenize, preprocess, embed, classify and evaluate with the released OpenAI models.")
    {
        new ModelsCommand(context),
        new DownloadCommand(context),
        new ConvertCommand(context),
        new TokenizeCommand(context),
        new PreprocessCommand(context),
        new EmbedCommand(context),
        new ClassifyCommand(context),
        new EvaluateCommand(context),
        new ProbeCommand(context),
        new SearchCommand(context),
        new BenchCommand(context),
        new SaliencyCommand(context),
    };

    public static int Run(string[] args, TextWriter output, TextWriter error) => Run(args, output, error, null);

    /// <param name="input">Standard input for <c>-</c> arguments (default: the console's).</param>
    public static int Run(string[] args, TextWriter output, TextWriter error, TextReader? input)
    {
        using var context = new CliContext(output, error, input);
        var root = Build(context);
        var config = new InvocationConfiguration
        {
            Output = output, Error = error, EnableDefaultExceptionHandler = false,
        };
        try
        {
            var parse = root.Parse(args);
            if (parse.Action is ParseErrorAction && parse.Errors.Count > 0) return UsageError(parse, error);
            return parse.Invoke(config);
        }
        catch (Exception e) when (UserError(e) is { } message)
        {
            context.StopProgress();
            error.WriteLine($"error: {message}");
            return 1;
        }
    }

    // A parse error is one line (the first error), not the whole help text; a syntax error adds a pointer to the
    // verb's help, a bad value (a validator's message, which names the option) does not need one.
    static int UsageError(ParseResult parse, TextWriter error)
    {
        var verbs = new List<string>();
        for (var c = parse.CommandResult; c.Parent is CommandResult parent; c = parent) verbs.Insert(0, c.Command.Name);
        // a syntax error first: a validator's complaint may only follow from it ("nothing to tokenize")
        string message = parse.Errors.Select(e => e.Message).OrderBy(ValueChecks.IsValueError).First();
        string first = Regex.Replace(ValueChecks.Untagged(message), @"\s+", " ").Trim();
        first = Regex.Replace(first, @"System\.Nullable`1\[([^\]]+)\]", "$1"); // int? reads as System.Int32
        error.WriteLine($"error: {first}");
        if (!ValueChecks.IsValueError(message)) error.WriteLine($"(see {string.Join(' ', ["clip", .. verbs])} --help)");
        return 1;
    }

    // Failures a user can act on are reported by their message alone; anything else keeps its type for a bug report.
    static string? UserError(Exception e) => e switch
    {
        AggregateException { InnerExceptions.Count: 1 } a => UserError(a.InnerException!),
        ClipSharpException or FileNotFoundException or DirectoryNotFoundException or InvalidDataException
            or IOException or ArgumentException or UnauthorizedAccessException or CliException => e.Message,
        _ => Environment.GetEnvironmentVariable("CLIP_DEBUG") is null
            ? $"{e.GetType().Name}: {e.Message} (set CLIP_DEBUG=1 for the stack trace)"
            : null,
    };
}
