using System.Globalization;

namespace ClipSharp.Settings;

/// <summary>Every path and knob the library takes from its surroundings, read in this one place: the environment
/// variables (or any lookup a caller passes) and the current directory. Values are checked when asked for, so a bad
/// variable is an error naming it only for the work that needs it.
/// <para>The workspace (<see cref="Root"/>) is <c>CLIP_HOME</c>, else the nearest ancestor of the current directory
/// holding a <c>weights/</c> folder, else the current directory. That finds the repository from anywhere inside it
/// (the CLI run from a subfolder, a notebook kernel started in <c>notebooks/</c>, tests run from <c>bin/</c>) and
/// gives a consumer of the packed library, whose current folder holds none, <c>./weights</c>: the first download
/// makes that folder, so later runs from there or below agree. The library's own location is never used: a packed
/// library sits in the NuGet cache, far from the user's files.</para></summary>
public sealed class ClipSettings
{
    public const string HomeVariable = "CLIP_HOME";
    public const string WeightsVariable = "CLIP_WEIGHTS";
    public const string VocabVariable = "CLIP_VOCAB";
    public const string MirrorVariable = "CLIP_MIRROR";
    public const string TimeoutVariable = "CLIP_DOWNLOAD_TIMEOUT";
    public const string MinRateVariable = "CLIP_DOWNLOAD_MIN_RATE";
    public const string ChromiumVariable = "CLIP_CHROMIUM";

    public static readonly TimeSpan DefaultReadTimeout = TimeSpan.FromSeconds(60);

    /// <summary>8 KiB/s: the slowest average a download may keep (a 338 MiB model then takes at most half a
    /// day).</summary>
    public const double DefaultMinAverageRate = 8 * 1024;

    readonly Func<string, string?> variables;

    /// <param name="variables">The environment lookup (a test passes its own); empty values count as unset.</param>
    /// <param name="currentDirectory">Where the search for the workspace starts.</param>
    public ClipSettings(Func<string, string?> variables, string currentDirectory)
    {
        this.variables = variables;
        Root = Variable(HomeVariable) is { } home ? Path.GetFullPath(CheckedFolder(home, HomeVariable, "a folder"))
            : FindWorkspace(currentDirectory);
    }

    /// <summary>The settings of this process as they are now (the environment is read again on each call, so a
    /// variable set at run time counts).</summary>
    public static ClipSettings Current => new(Environment.GetEnvironmentVariable, Directory.GetCurrentDirectory());

    /// <summary>The workspace: where <c>weights/</c>, <c>data/</c> and <c>.cache/</c> are found.</summary>
    public string Root { get; }

    /// <summary><c>CLIP_WEIGHTS</c>, else <c>weights/</c> of the workspace. A <c>CLIP_WEIGHTS</c> that is (or lies
    /// under) a file is an error naming the variable.</summary>
    public string WeightsDirectory =>
        Variable(WeightsVariable) is { } w ? CheckedFolder(w, WeightsVariable, "the folder for the weights")
        : Path.Combine(Root, "weights");

    /// <summary><c>data/</c> of the workspace.</summary>
    public string DataDirectory => Path.Combine(Root, "data");

    /// <summary><c>.cache/</c> of the workspace (embeddings, benchmark images).</summary>
    public string CacheDirectory => Path.Combine(Root, ".cache");

    /// <summary><c>CLIP_VOCAB</c>: the BPE vocab file to use instead of the one in the weights folder.</summary>
    public string? VocabPath => Variable(VocabVariable);

    /// <summary><c>CLIP_MIRROR</c>: the base URL to download from instead of the release hosts (checked by the
    /// downloader).</summary>
    public string? Mirror => Variable(MirrorVariable);

    /// <summary><c>CLIP_CHROMIUM</c>: the browser that renders charts to images.</summary>
    public string? Chromium => Variable(ChromiumVariable);

    /// <summary>The folders of <c>PATH</c>.</summary>
    public IReadOnlyList<string> SearchPath =>
        (Variable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);

    /// <summary><c>CLIP_DOWNLOAD_TIMEOUT</c> (seconds, positive): how long a server may send nothing; else 60 s.
    /// </summary>
    public TimeSpan DownloadTimeout
    {
        get
        {
            string? value = Variable(TimeoutVariable);
            if (string.IsNullOrWhiteSpace(value)) return DefaultReadTimeout;
            if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds)
                || !(seconds > 0 && seconds <= 86400))
                throw new ClipSharpException(
                    $"{TimeoutVariable}='{value}' is not a number of seconds between 0 and 86400");
            return TimeSpan.FromSeconds(seconds);
        }
    }

    /// <summary><c>CLIP_DOWNLOAD_MIN_RATE</c> (KiB/s, 0 = no minimum) in bytes/s, else
    /// <see cref="DefaultMinAverageRate"/>.</summary>
    public double DownloadMinRate
    {
        get
        {
            string? value = Variable(MinRateVariable);
            if (string.IsNullOrWhiteSpace(value)) return DefaultMinAverageRate;
            if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double kib)
                || !(kib >= 0 && kib <= 1 << 20))
                throw new ClipSharpException($"{MinRateVariable}='{value}' is not a rate in KiB/s between 0 and " +
                    $"{1 << 20} (0 turns the minimum off)");
            return kib * 1024;
        }
    }

    /// <summary>An environment value by name (null when unset or empty), for the variables other parts document
    /// themselves (the Kaggle credentials, the notebook inputs).</summary>
    public string? Variable(string name) => variables(name) is { Length: > 0 } value ? value : null;

    static string Fallback(string variable) =>
        variable == HomeVariable ? "the workspace around the current directory" : "weights/ of the workspace";

    static string FindWorkspace(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            if (Directory.Exists(Path.Combine(dir.FullName, "weights"))) return dir.FullName;
        return start;
    }

    /// <summary><paramref name="path"/> when it is a folder or could become one (its nearest existing ancestor is a
    /// folder).</summary>
    static string CheckedFolder(string path, string variable, string what)
    {
        string full;
        try { full = Path.GetFullPath(path); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        { throw new ClipSharpException($"{variable}='{path}' is not a usable path: {e.Message}", e); }
        for (string? dir = full; dir is not null; dir = Path.GetDirectoryName(dir))
        {
            if (Directory.Exists(dir)) return path;
            if (File.Exists(dir))
                throw new ClipSharpException($"{variable}='{path}' is not a folder: '{dir}' is a file. Point " +
                    $"{variable} at {what}, or unset it to use {Fallback(variable)}.");
        }
        return path;
    }
}
