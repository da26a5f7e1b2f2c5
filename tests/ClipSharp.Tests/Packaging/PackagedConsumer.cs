using ClipSharp.Settings;
using System.Diagnostics;
using ClipSharp.Tests.Notebooks;

namespace ClipSharp.Tests.Packaging;

/// <summary>A console app outside the repository that knows ClipSharp only as a NuGet package: the library is
/// packed into a local folder feed, the app references it from there (its dependencies come from the usual sources,
/// found in the warm global packages folder), is built and run. Everything lives under one temporary folder,
/// packages included, so nothing of a test version stays in the global packages folder.</summary>
public sealed class PackagedConsumer : IDisposable
{
    static readonly TimeSpan Timeout = TimeSpan.FromMinutes(10);

    public string Root { get; } = Path.Combine(Path.GetTempPath(), $"clipsharp-package-{Guid.NewGuid():N}");
    public string Feed => Path.Combine(Root, "feed");
    public string App => Path.Combine(Root, "app");
    public string Packages => Path.Combine(Root, "packages");

    /// <summary>Unique per run, so no earlier package of the same version can be picked up.</summary>
    public string Version { get; } = $"0.0.0-packtest.{DateTime.UtcNow:yyyyMMddHHmmss}";

    public PackagedConsumer() => Directory.CreateDirectory(Root);

    /// <summary><c>dotnet pack src/ClipSharp</c> into the feed; built in this run's own folders, so a concurrent
    /// Release build of the repository is not disturbed.</summary>
    public string Pack()
    {
        string project = Path.Combine(ClipSettings.Current.Root, "src", "ClipSharp", "ClipSharp.csproj");
        Run(ClipSettings.Current.Root, "pack", project, "-c", "Release", "-o", Feed, "-nologo", "-v", "q",
            $"-p:Version={Version}", $"-p:OutputPath={Path.Combine(Root, "bin")}/",
            $"-p:IntermediateOutputPath={Path.Combine(Root, "obj")}/");
        return Directory.GetFiles(Feed, "*.nupkg").Single();
    }

    /// <summary>Writes the app (project, nuget.config, <paramref name="program"/>) and builds it; returns the log.
    /// </summary>
    public string Build(string program)
    {
        Directory.CreateDirectory(App);
        string globalPackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p ? p
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        File.WriteAllText(Path.Combine(App, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config><add key="globalPackagesFolder" value="{Packages}" /></config>
              <packageSources><add key="clipsharp-local" value="{Feed}" /></packageSources>
              <fallbackPackageFolders><add key="warm-cache" value="{globalPackages}" /></fallbackPackageFolders>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(App, "App.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="ClipSharp" Version="{Version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(App, "Program.cs"), program);
        return Run(App, "build", "-c", "Release", "-nologo", "-v", "m");
    }

    public string OutputDirectory => Path.Combine(App, "bin", "Release", "net10.0");

    /// <summary>Runs the built app with <paramref name="environment"/>; returns its standard output.</summary>
    public string Execute(IReadOnlyDictionary<string, string> environment) =>
        Run(App, [Path.Combine(OutputDirectory, "App.dll")], environment);

    string Run(string directory, params string[] arguments) => Run(directory, arguments, null);

    static string Run(string directory, string[] arguments, IReadOnlyDictionary<string, string>? environment)
    {
        var start = new ProcessStartInfo("dotnet", arguments)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        var (code, log) = NotebookRunner.RunProcess(start, Timeout);
        if (code != 0)
            throw new InvalidOperationException($"dotnet {string.Join(" ", arguments)} exited with {code}:\n{log}");
        return log;
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { } // a leftover temporary folder is not worth failing the test for
        catch (UnauthorizedAccessException) { }
    }
}
