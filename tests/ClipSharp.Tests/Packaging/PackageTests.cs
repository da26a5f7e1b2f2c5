using ClipSharp.Settings;
using System.Globalization;
using System.IO.Compression;

namespace ClipSharp.Tests.Packaging;

/// <summary>The library as a user outside the repository gets it: <c>dotnet pack</c>, a folder feed, a console app
/// under the temporary folder running the README's snippet on the tiny reference model. Takes a minute or two (the
/// app's output folder receives libtorch); runs in CI with the rest of <c>dotnet test</c>.</summary>
[Trait("Category", "Packaging")]
public class PackageTests
{
    const string GlibcxxVersion = "GLIBCXX_3.4.32";

    [Fact]
    public void Package_carries_the_glibcxx_fix_as_buildTransitive_and_no_notebook_dependencies()
    {
        using var consumer = new PackagedConsumer();
        using var package = ZipFile.OpenRead(consumer.Pack());
        var entries = package.Entries.Select(e => e.FullName).ToList();
        Assert.Contains("lib/net10.0/ClipSharp.dll", entries);
        Assert.Contains("buildTransitive/ClipSharp.targets", entries);
        Assert.Contains("buildTransitive/WeakenGlibcxxSymbol.cs", entries);
        using var nuspec = new StreamReader(package.Entries.Single(e => e.FullName.EndsWith(".nuspec")).Open());
        string manifest = nuspec.ReadToEnd();
        Assert.Contains("id=\"TorchSharp\"", manifest);
        Assert.DoesNotContain("Plotly", manifest);
        Assert.DoesNotContain("FSharp", manifest);
        Assert.DoesNotContain("Interactive", manifest);
    }

    [Fact]
    public void A_console_app_outside_the_repository_runs_the_readme_snippet_from_the_packed_package()
    {
        using var consumer = new PackagedConsumer();
        Assert.False(consumer.Root.StartsWith(ClipSettings.Current.Root, StringComparison.Ordinal));
        consumer.Pack();
        string image = Path.Combine(Reference.Images, "face-127.png");
        string program = ReadmeLibrarySnippet.Program(Path.Combine(ClipSettings.Current.Root, "README.md"),
            Reference.Model("tiny-rn.pt"), image);
        string buildLog = consumer.Build(program);

        string output = consumer.Execute(new Dictionary<string, string>
        {
            ["CLIP_VOCAB"] = Reference.Vocab,
            ["CLIP_WEIGHTS"] = Path.Combine(consumer.Root, "weights"),
        });

        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Contains("shape 1x2", lines);
        var logits = lines.Single(l => l.StartsWith("logits ", StringComparison.Ordinal))["logits ".Length..]
            .Split(' ').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        // The official logits of face-127.png against "no glasses" and "glasses" (row 0, columns 0 and 1).
        using var expected = Reference.Expected("tiny-rn");
        var official = expected.Tensors["logits_per_image"].data<float>().ToArray();
        int columns = (int)expected.Tensors["logits_per_image"].shape[1];
        Assert.Equal(2, logits.Length);
        for (int j = 0; j < 2; j++)
            Assert.True(Math.Abs(logits[j] - official[j]) <= 1e-4 * Math.Max(1, Math.Abs(official[j])),
                $"logit {j}: {logits[j]} from the package, {official[j]} official (row of {columns})");

        // Where the system's libstdc++ lacks the version TorchSharp asks for, the app's copy was fixed by the
        // package's buildTransitive targets (the run above proves it loads); elsewhere it is left as shipped.
        bool needsFix = SystemLibStdCxx() is { } lib && !File.ReadAllText(lib).Contains(GlibcxxVersion);
        Assert.Equal(needsFix, buildLog.Contains($"@{GlibcxxVersion} weak", StringComparison.Ordinal));
    }

    static string? SystemLibStdCxx() => OperatingSystem.IsLinux()
        ? new[] { "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6" }.FirstOrDefault(File.Exists)
        : null;
}
