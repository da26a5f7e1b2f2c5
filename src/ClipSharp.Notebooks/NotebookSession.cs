using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using Microsoft.DotNet.Interactive.Formatting;

namespace ClipSharp.Notebooks;

/// <summary>The one call a notebook makes after <c>#r</c>-ing ClipSharp.Notebooks.dll. The kernel loads the
/// dll by path, so .NET neither finds its native libraries under <c>runtimes/</c> nor accepts Plotly.NET's request for
/// a newer FSharp.Core than the kernel's own; this fixes both, then shows charts offline, and stops the cells after a
/// missing input with that input's message (they would otherwise fail on its null results with stack traces).</summary>
public static class NotebookSession
{
    static bool started;
    static volatile MissingInputException? missing;

    /// <summary>Idempotent: safe to run the set-up cell again.</summary>
    public static void Start()
    {
        if (started) return;
        ShareLoadedFSharpCore();
        ResolveNativeLibraries();
        MemoryTuning.Apply();
        RegisterFormatters();
        StopCellsAfterMissingInput();
        started = true;
    }

    /// <summary>Remembers a missing input: every later cell stops with its message until the inputs cell runs
    /// again.</summary>
    internal static MissingInputException Stop(MissingInputException e) => missing = e;

    internal static void Resume() => missing = null;

    /// <summary>Adds a step before each code submission of the kernel: after a missing input, a cell that does not
    /// build the inputs again (<c>NotebookInputs.FromEnvironment</c>) or set an environment variable fails with that
    /// input's one-line message. Found by reflection: the library compiles against the kernel's formatting package
    /// only, and does nothing outside a kernel. </summary>
    static void StopCellsAfterMissingInput()
    {
        var kernelType = AppDomain.CurrentDomain.GetAssemblies()
            .FirstOrDefault(a => a.GetName().Name == "Microsoft.DotNet.Interactive")
            ?.GetType("Microsoft.DotNet.Interactive.Kernel");
        var kernel = kernelType?.GetProperty("Current", BindingFlags.Public | BindingFlags.Static)?.GetValue(null);
        var add = kernelType?.GetMethod("AddMiddleware");
        if (kernel is null || add is null) return;
        var gate = Delegate.CreateDelegate(add.GetParameters()[0].ParameterType,
            typeof(NotebookSession).GetMethod(nameof(Gate), BindingFlags.NonPublic | BindingFlags.Static)!);
        add.Invoke(kernel, [gate,
            .. add.GetParameters().Skip(1).Select(p => p.HasDefaultValue ? p.DefaultValue : null)]);
    }

    static Task Gate(object command, object context, Delegate next)
    {
        if (missing is { } stop && command.GetType().Name == "SubmitCode"
            && command.GetType().GetProperty("Code")?.GetValue(command) is string code
            && !code.Contains("NotebookInputs.FromEnvironment", StringComparison.Ordinal)
            && !code.Contains("SetEnvironmentVariable", StringComparison.Ordinal))
            return Task.FromException(stop);
        return (Task)next.DynamicInvoke(command, context)!;
    }

    /// <summary>Plotly.NET asks for FSharp.Core 10.1; the kernel has already loaded its own (10.0) and a process holds
    /// only one. Every FSharp.Core API Plotly.NET uses exists in both, so hand it the loaded one.</summary>
    static void ShareLoadedFSharpCore()
    {
        var loaded = AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => a.GetName().Name == "FSharp.Core");
        if (loaded is null) return; // not in a kernel: the FSharp.Core beside this dll loads normally
        AssemblyLoadContext.Default.Resolving += (_, name) => name.Name == "FSharp.Core" ? loaded : null;
    }

    /// <summary>Finds the native libraries in <c>runtimes/&lt;rid&gt;/native</c> beside this dll: SkiaSharp's through
    /// an import resolver; TorchSharp's by loading libLibTorchSharp (and through its <c>$ORIGIN</c> run path, libtorch)
    /// by full path, so TorchSharp's own load by name finds it already in the process. (A resolver on TorchSharp would
    /// bypass its libtorch checks.)</summary>
    static void ResolveNativeLibraries()
    {
        string? native = NativeDirectory();
        if (native is null) return; // natives sit beside the dll (a published app): default probing finds them
        try
        {
            NativeLibrary.SetDllImportResolver(typeof(SkiaSharp.SKImage).Assembly, (name, _, _) =>
                Directory.EnumerateFiles(native, $"{name}.*").FirstOrDefault() is { } file
                    ? NativeLibrary.Load(file)
                    : IntPtr.Zero);
        }
        catch (InvalidOperationException) { } // SkiaSharp set its own resolver: it finds its natives itself
        if (Directory.EnumerateFiles(native, "libLibTorchSharp.*").FirstOrDefault() is { } torchSharp)
            NativeLibrary.Load(torchSharp);
    }

    static string? NativeDirectory()
    {
        string here = Path.GetDirectoryName(typeof(NotebookSession).Assembly.Location)!;
        string arch = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        string os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
        return new[] { RuntimeInformation.RuntimeIdentifier, $"{os}-{arch}" }
            .Select(rid => Path.Combine(here, "runtimes", rid, "native")).FirstOrDefault(Directory.Exists);
    }

    static void RegisterFormatters()
    {
        Formatter.Register<Plot>((plot, writer) => writer.Write(ChartFormatter.ToNotebookHtml(plot.Chart)),
            HtmlFormatter.MimeType);
        Formatter.Register<Gallery>((gallery, writer) => writer.Write(gallery.ToHtml()), HtmlFormatter.MimeType);
        Formatter.Register<Table>((table, writer) => writer.Write(table.ToHtml()), HtmlFormatter.MimeType);
    }
}
