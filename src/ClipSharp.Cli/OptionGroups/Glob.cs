using System.Text.RegularExpressions;

namespace ClipSharp.Cli.OptionGroups;

/// <summary>Glob patterns for image arguments, for shells that do not expand them (or quoted ones): <c>*</c> and
/// <c>?</c> within a name, <c>[abc]</c> classes, and <c>**</c> for any depth of folders. Matches are in ordinal
/// order; the walk is bounded.</summary>
static class Glob
{
    /// <summary>The most files and folders one pattern looks at.</summary>
    public const int MaxEntries = 1_000_000;

    public static bool IsPattern(string path) => path.AsSpan().IndexOfAny("*?[") >= 0;

    /// <summary>The files and folders matching <paramref name="pattern"/>.</summary>
    public static List<string> Expand(string pattern)
    {
        var parts = pattern.Replace('\\', '/').Split('/');
        int first = Array.FindIndex(parts, IsPattern);
        string root = string.Join('/', parts[..first]);
        if (root.Length == 0 && first > 0) root = "/"; // an absolute pattern: "/x/*.png" splits to "", "x", …
        var matches = new List<string>();
        int looked = 0;
        Match(root.Length == 0 ? "." : root, parts[first..], matches, ref looked, pattern);
        if (root.Length == 0) matches = [.. matches.Select(m => Path.GetRelativePath(".", m))];
        return [.. matches.Distinct().Order(StringComparer.Ordinal)];
    }

    static void Match(string folder, string[] rest, List<string> matches, ref int looked, string pattern)
    {
        if (rest.Length == 0) { matches.Add(folder); return; }
        if (!Directory.Exists(folder)) return;
        if (rest[0] == "**")
        {
            Match(folder, rest[1..], matches, ref looked, pattern); // zero folders
            foreach (var sub in Entries(folder, ref looked, pattern).Where(Directory.Exists))
                if ((File.GetAttributes(sub) & FileAttributes.ReparsePoint) == 0) // no link loops
                    Match(sub, rest, matches, ref looked, pattern);
            return;
        }
        var name = NameRegex(rest[0]);
        foreach (var entry in Entries(folder, ref looked, pattern))
            if (NameMatches(rest[0], name, Path.GetFileName(entry)) && (rest.Length == 1 || Directory.Exists(entry)))
                Match(entry, rest[1..], matches, ref looked, pattern);
    }

    static List<string> Entries(string folder, ref int looked, string pattern)
    {
        var entries = Directory.EnumerateFileSystemEntries(folder).Take(MaxEntries - looked + 1).ToList();
        looked += entries.Count;
        if (looked > MaxEntries)
            throw new CliException($"The pattern '{pattern}' looks at more than {MaxEntries:N0} files and folders; " +
                "give a narrower one");
        entries.Sort(StringComparer.Ordinal);
        return entries;
    }

    /// <summary>Hidden files match only a pattern starting with a dot.</summary>
    static bool NameMatches(string segment, Regex name, string file) =>
        (segment.StartsWith('.') || !file.StartsWith('.')) && name.IsMatch(file);

    /// <summary>One path segment's pattern as a regex, matched without backtracking (time linear in the name, so a
    /// pattern like <c>*a*a*a*b</c> cannot hang).</summary>
    static Regex NameRegex(string segment)
    {
        var regex = new System.Text.StringBuilder("^");
        for (int i = 0; i < segment.Length; i++)
        {
            char c = segment[i];
            int close = c == '[' && i + 2 < segment.Length ? segment.IndexOf(']', i + 2) : -1;
            if (c == '*') regex.Append(".*");
            else if (c == '?') regex.Append('.');
            else if (close > 0)
            {
                string set = segment[(i + 1)..close];
                regex.Append('[').Append(set.StartsWith('!') ? "^" + Regex.Escape(set[1..]) : Regex.Escape(set))
                    .Append(']');
                i = close;
            }
            else regex.Append(Regex.Escape(c.ToString()));
        }
        try
        {
            return new Regex(regex.Append('$').ToString(),
                RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
        }
        catch (ArgumentException)
        {
            throw new CliException($"The pattern part '{segment}' is not a valid glob (a [set] must hold a character)");
        }
    }
}
