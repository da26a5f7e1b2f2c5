using System.Net;
using System.Text;
using ClipSharp.Imaging;
using SkiaSharp;

namespace ClipSharp.Notebooks;

/// <summary>Images in a row of captioned thumbnails, as HTML with the pictures inlined (base64), so the notebook
/// shows them offline and keeps them in its outputs. Each thumbnail is a PNG, or a JPEG (quality 90) where that is
/// smaller, as it is for photos by a factor of 5 to 10: a gallery of 24 faces stays a few hundred KB.</summary>
public sealed class Gallery
{
    readonly List<(string DataUrl, string Caption)> items = [];
    readonly int thumbnail;

    public Gallery(int thumbnail = 160) => this.thumbnail = thumbnail;

    public int Count => items.Count;

    /// <summary>An image file, decoded as the preprocessing decodes it, scaled to fit the thumbnail size.</summary>
    public Gallery Add(string path, string? caption = null) =>
        Add(ImageLoader.Load(path), caption ?? Path.GetFileName(path));

    public Gallery Add(RgbaImage image, string caption) => Add(image, caption, lossless: false);

    Gallery Add(RgbaImage image, string caption, bool lossless)
    {
        using var bitmap =
            new SKBitmap(new SKImageInfo(image.Width, image.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        System.Runtime.InteropServices.Marshal.Copy(image.Pixels, 0, bitmap.GetPixels(), image.Pixels.Length);
        double scale = Math.Min(1.0, (double)thumbnail / Math.Max(image.Width, image.Height));
        int width = Math.Max(1, (int)(image.Width * scale)), height = Math.Max(1, (int)(image.Height * scale));
        using var scaled = bitmap.Resize(new SKImageInfo(width, height,
            SKColorType.Rgba8888, SKAlphaType.Unpremul), new SKSamplingOptions(SKCubicResampler.Mitchell));
        using var png = scaled.Encode(SKEncodedImageFormat.Png, 100);
        // JPEG has no alpha, and the model's view of an image is shown exactly.
        using var jpeg = !lossless && Opaque(image) ? scaled.Encode(SKEncodedImageFormat.Jpeg, 90) : null;
        items.Add(jpeg is not null && jpeg.Size < png.Size
            ? ("data:image/jpeg;base64," + Convert.ToBase64String(jpeg.ToArray()), caption)
            : ("data:image/png;base64," + Convert.ToBase64String(png.ToArray()), caption));
        return this;
    }

    static bool Opaque(RgbaImage image)
    {
        for (int i = 3; i < image.Pixels.Length; i += 4)
            if (image.Pixels[i] != 255) return false;
        return true;
    }

    /// <summary>RGB pixels [size, size, 3] as <see cref="ClipPreprocessor.Pixels(string)"/> returns them: what the
    /// model sees, so always a lossless PNG.</summary>
    public Gallery AddRgb(byte[] rgb, int size, string caption) =>
        Add(RgbaImage.FromRgb(rgb, size), caption, lossless: true);

    public string ToHtml()
    {
        var html = new StringBuilder("<div style=\"display:flex;flex-wrap:wrap;gap:10px\">");
        foreach (var (url, caption) in items)
        {
            string text = WebUtility.HtmlEncode(caption);
            html.Append($"<figure style=\"margin:0;text-align:center;max-width:{thumbnail}px\">")
                .Append($"<img src=\"{url}\" alt=\"{text}\"/>")
                .Append($"<figcaption style=\"font-size:11px;word-break:break-all\">{text}</figcaption></figure>");
        }
        if (items.Count == 0) html.Append("<em>(no images)</em>");
        return html.Append("</div>").ToString();
    }
}
