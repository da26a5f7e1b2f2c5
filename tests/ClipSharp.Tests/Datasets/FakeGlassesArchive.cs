using System.IO.Compression;
using System.Text;
using SkiaSharp;

namespace ClipSharp.Tests.Datasets;

/// <summary>Zip archives shaped like the Kaggle glasses set, made at run time: train.csv (id, v1 … v512, glasses) and
/// small PNG faces nested in folders as the real archive nests them.</summary>
public static class FakeGlassesArchive
{
    public const string Folder = "faces-spring-2020/faces-spring-2020";

    public static string Header { get; } =
        "id," + string.Join(",", Enumerable.Range(1, 512).Select(i => $"v{i}")) + ",glasses";

    /// <summary>Row i has id i and label i % 2.</summary>
    public static string Csv(int rows, string? header = null) => new StringBuilder((header ?? Header) + "\n")
        .AppendJoin("", Enumerable.Range(1, rows).Select(i =>
            $"{i},{string.Join(",", Enumerable.Repeat("0.25", 512))},{i % 2}\n")).ToString();

    public static byte[] Png { get; } = MakePng();

    static byte[] MakePng()
    {
        using var bitmap = new SKBitmap(8, 8);
        bitmap.Erase(SKColors.Teal);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>train.csv with <paramref name="rows"/> rows and face-1 … face-<paramref name="images"/>.png under
    /// <see cref="Folder"/>; <paramref name="extra"/> adds entries of its own.</summary>
    public static byte[] Build(int rows, int images, Action<ZipArchive>? extra = null, string? csv = null)
    {
        using var memory = new MemoryStream();
        using (var zip = new ZipArchive(memory, ZipArchiveMode.Create, leaveOpen: true))
        {
            Add(zip, "train.csv", Encoding.UTF8.GetBytes(csv ?? Csv(rows)));
            for (int i = 1; i <= images; i++) Add(zip, $"{Folder}/face-{i}.png", Png);
            extra?.Invoke(zip);
        }
        return memory.ToArray();
    }

    public static ZipArchiveEntry Add(ZipArchive zip, string name, byte[] content)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.Fastest);
        using (var stream = entry.Open()) stream.Write(content);
        return entry;
    }

    /// <summary>An entry that unzip tools would restore as a symbolic link to <paramref name="target"/>.</summary>
    public static void AddSymlink(ZipArchive zip, string name, string target)
    {
        var entry = zip.CreateEntry(name);
        entry.ExternalAttributes = unchecked((int)(0xA1FFu << 16)); // S_IFLNK | 0777
        using var stream = entry.Open();
        stream.Write(Encoding.UTF8.GetBytes(target));
    }
}
