using System.CommandLine;
using System.CommandLine.Parsing;

namespace ClipSharp.Cli.OptionGroups;

/// <summary>Argument checks as System.CommandLine validators. Their messages already name the option and the value,
/// so <see cref="ClipCli"/> prints them as one line without the pointer to the help that syntax errors get.</summary>
static class ValueChecks
{
    // Marks a validator's message among the parse errors; removed before printing.
    const string Tag = "\u2063";

    public static bool IsValueError(string message) => message.StartsWith(Tag, StringComparison.Ordinal);
    public static string Untagged(string message) => IsValueError(message) ? message[Tag.Length..] : message;

    /// <summary>Adds a check of the option's value: <paramref name="problem"/> returns the message, or null when
    /// the value is fine. Values the parser could not convert are left to its own error.</summary>
    public static Option<T> Check<T>(this Option<T> option, Func<T, string?> problem)
    {
        option.Validators.Add(result =>
        {
            if (result.Errors.Any() || !TryValue(result.GetValueOrDefault<T>, out T? value)) return;
            if (problem(value!) is { } message) result.AddError(Tag + message);
        });
        return option;
    }

    /// <summary>Adds a check of the positional argument's value, as
    /// <see cref="Check{T}(Option{T}, Func{T, string?})"/>.
    /// </summary>
    public static Argument<T> Check<T>(this Argument<T> argument, Func<T, string?> problem)
    {
        argument.Validators.Add(result =>
        {
            if (!TryValue(result.GetValueOrDefault<T>, out T? value)) return;
            if (problem(value!) is { } message) result.AddError(Tag + message);
        });
        return argument;
    }

    /// <summary>Adds a check across a command's options (one of two given, something to do).</summary>
    public static void Check(this Command command, Func<CommandResult, string?> problem) =>
        command.Validators.Add(result =>
        {
            // A value the parser cannot convert is the error to report; System.CommandLine converts lazily, and
            // only while the command has no error yet, so convert first and stay quiet if that fails.
            foreach (var option in result.Children.OfType<OptionResult>())
                if (!TryValue(option.GetValueOrDefault<object?>, out _) || option.Errors.Any()) return;
            if (problem(result) is { } message) result.AddError(Tag + message);
        });

    static bool TryValue<T>(Func<T?> read, out T? value)
    {
        try { value = read(); return true; }
        catch (InvalidOperationException) { value = default; return false; }
    }

    /// <summary>Reports a bad value from a parser or validator of one's own.</summary>
    public static void Reject(SymbolResult result, string message) => result.AddError(Tag + message);

    /// <summary>The usual "--x must be positive; got 0".</summary>
    public static Option<int> Positive(this Option<int> option) =>
        option.Check(v => v < 1 ? $"{option.Name} must be positive; got {v}" : null);
}
