using System.CommandLine;
using ClipSharp.Cli.OptionGroups;

namespace ClipSharp.Cli.Rendering;

/// <summary>The <c>--format table|csv|json</c> option, with the formats a verb supports.</summary>
static class OutputFormat
{
    public const string Table = "table";
    public const string Csv = "csv";
    public const string Json = "json";

    /// <param name="formats">The formats the verb writes, in the order the help lists them.</param>
    /// <param name="defaultFormat">null: the verb's own plain output when --format is not given.</param>
    public static Option<string?> Option(string[] formats, string? defaultFormat = Table)
    {
        var option = new Option<string?>("--format")
        {
            Description = $"The output: {string.Join(", ", formats.Select(Describe))}" +
                (defaultFormat is null ? "" : $"; default {defaultFormat}"),
            HelpName = string.Join('|', formats),
        };
        if (defaultFormat is not null) option.DefaultValueFactory = _ => defaultFormat;
        option.AcceptOnlyFromAmong(formats);
        return option;
    }

    static string Describe(string format) => format switch
    {
        Table => "table (aligned columns; a box on a terminal)",
        Csv => "csv (RFC 4180)",
        Json => "json (one JSON document)",
        _ => format,
    };
}
