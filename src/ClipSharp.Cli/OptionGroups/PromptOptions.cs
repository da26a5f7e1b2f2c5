using System.CommandLine;
using ClipSharp.ZeroShot;

namespace ClipSharp.Cli.OptionGroups;

/// <summary>The prompt group every verb that classifies shares: <c>--class</c>, <c>--template</c> and
/// <c>--prompts</c>.</summary>
sealed class PromptOptions
{
    public static readonly string[] DefaultClasses = ["no glasses", "glasses"];

    public Option<string[]> Classes { get; } = new("--class", "-c")
    {
        Description = "A class name, in label-index order (repeat); default: 'no glasses', 'glasses'",
    };
    public Option<string[]> Templates { get; } = new("--template", "-t")
    {
        Description = "A prompt template with {} for the class (repeat to ensemble); default {}",
    };
    public Option<string?> PromptsFile { get; } = new("--prompts")
    {
        Description = "A file of prompt templates with {} for the class, one a line (several are ensembled)",
    };

    /// <summary>The group, or only its template options (search fills templates with its query).</summary>
    public void AddTo(Command command, bool classes = true)
    {
        if (classes) command.Options.Add(Classes);
        command.Options.Add(Templates);
        command.Options.Add(PromptsFile);
    }

    public IReadOnlyList<string> ClassNames(ParseResult parse) =>
        parse.GetValue(Classes) is { Length: > 0 } given ? given : DefaultClasses;

    /// <summary>The templates of --prompts, then of --template (none: the class name alone).</summary>
    public List<string> TemplateList(ParseResult parse) =>
        [.. (parse.GetValue(PromptsFile) is { } file ? PromptSet.ReadTemplates(file) : []),
            .. parse.GetValue(Templates) ?? []];

    public PromptSet Prompts(ParseResult parse) => PromptSet.Create(ClassNames(parse), TemplateList(parse));
}
