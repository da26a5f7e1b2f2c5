using ClipSharp.Analyses;
using SkiaSharp;
using static TorchSharp.torch;

namespace ClipSharp.Tests.Analyses;

/// <summary>The overlay's pieces: bilinear upsampling as PyTorch's interpolate (align_corners=False), the jet colour
/// map, display normalisation, the blend and the PNG.</summary>
public class GradCamOverlayTests
{
    [Theory]
    [InlineData(7, 224)]
    [InlineData(2, 64)]
    [InlineData(3, 10)]
    public void Bilinear_upsampling_equals_torch_interpolate_without_aligned_corners(int grid, int size)
    {
        var map = new float[grid * grid];
        var random = new Random(grid * 1000 + size);
        for (int i = 0; i < map.Length; i++) map[i] = (float)random.NextDouble() * 5 - 1;
        var ours = BilinearUpsample.Resize(map, grid, size);
        using var input = tensor(map, [1, 1, grid, grid]);
        using var expected = nn.functional.interpolate(input, [size, size], mode: InterpolationMode.Bilinear,
            align_corners: false);
        var torchValues = expected.data<float>().ToArray();
        Assert.Equal(size * size, ours.Length);
        for (int i = 0; i < ours.Length; i++) Assert.Equal(torchValues[i], ours[i], 1e-5f);
    }

    [Fact]
    public void Jet_runs_from_dark_blue_through_green_to_dark_red()
    {
        Assert.Equal(((byte)0, (byte)0, (byte)128), ColorMap.Jet(0));
        Assert.Equal(((byte)128, (byte)255, (byte)128), ColorMap.Jet(0.5f));
        Assert.Equal(((byte)128, (byte)0, (byte)0), ColorMap.Jet(1));
        Assert.Equal(ColorMap.Jet(0), ColorMap.Jet(-3));
        Assert.Equal(ColorMap.Jet(1), ColorMap.Jet(7));
        Assert.Equal(ColorMap.Jet(0), ColorMap.Jet(float.NaN));
    }

    [Fact]
    public void Normalisation_spans_zero_to_one_and_a_flat_map_is_all_zero()
    {
        Assert.Equal([0f, 0.5f, 1f], SaliencyOverlay.Normalize([2f, 3f, 4f]));
        Assert.Equal([0f, 0f, 0f], SaliencyOverlay.Normalize([0f, 0f, 0f]));
    }

    [Fact]
    public void Blend_mixes_each_pixel_with_its_heat_colour_and_the_PNG_holds_it()
    {
        const int size = 16;
        var rgb = new byte[size * size * 3];
        for (int i = 0; i < rgb.Length; i++) rgb[i] = (byte)(i * 7 % 256);
        float[] map = [0, 0, 0, 9]; // hottest at the bottom right
        var blended = SaliencyOverlay.Blend(rgb, size, map, 2);
        var heat = SaliencyOverlay.Normalize(BilinearUpsample.Resize(map, 2, size));
        Assert.Equal(1f, heat[^1]);
        Assert.Equal(0f, heat[0]);
        for (int p = 0; p < size * size; p++)
        {
            var (r, g, b) = ColorMap.Jet(heat[p]);
            byte[] colour = [r, g, b];
            for (int c = 0; c < 3; c++)
                Assert.Equal(Math.Round(0.55 * rgb[3 * p + c] + 0.45 * colour[c]), blended[3 * p + c], 1.0);
        }

        string dir = Directory.CreateTempSubdirectory("clip-overlay-").FullName;
        try
        {
            string png = Path.Combine(dir, "sub", "x.png");
            SaliencyOverlay.WritePng(png, blended, size);
            using var decoded = SKBitmap.Decode(png);
            Assert.Equal(size, decoded.Width);
            Assert.Equal(size, decoded.Height);
            var corner = decoded.GetPixel(size - 1, size - 1);
            Assert.Equal((blended[^3], blended[^2], blended[^1]), (corner.Red, corner.Green, corner.Blue));
            Assert.Single(Directory.GetFiles(Path.Combine(dir, "sub"))); // no temporary file left
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Wrong_sizes_are_refused_with_the_sizes_named()
    {
        var e = Assert.Throws<ArgumentException>(() => BilinearUpsample.Resize(new float[5], 2, 8));
        Assert.Contains("2×2", e.Message);
        e = Assert.Throws<ArgumentException>(() => SaliencyOverlay.Blend(new byte[10], 4, new float[4], 2));
        Assert.Contains("4×4×3", e.Message);
    }
}
