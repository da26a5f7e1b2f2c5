namespace ClipSharp.Modeling;

/// <summary>Nominal floating-point operations (2 per multiply-add) of the textbook computation, from the config alone:
/// RN50 gives 11.59 GFLOPs per 224-px image (its attention pool has one query: the mean token) and 5.96 per 77-token
/// prompt. Benchmarks divide by these to report GFLOP/s, whatever shortcuts the implementation takes.</summary>
public static class FlopCount
{
    public static double ImageGFlops(ClipConfig config) =>
        2e-9 * (config.IsVisionTransformer ? VitMacs(config) : ResNetMacs(config));

    /// <summary>A prompt batch computed over its first <paramref name="positions"/> positions (up to the last EOT).
    /// </summary>
    public static double TextGFlops(ClipConfig config, int positions)
    {
        double w = config.TransformerWidth, l = positions;
        return 2e-9 * (config.TransformerLayers * (l * 12 * w * w + 2 * l * l * w) + w * config.EmbedDim);
    }

    static double ResNetMacs(ClipConfig c)
    {
        int w = c.VisionWidth, h = c.ImageResolution / 2;
        double macs = (double)h * h * 9 * (3 * (w / 2) + (w / 2) * (w / 2) + (w / 2) * w); // the three-convolution stem
        h /= 2;
        int inplanes = w;
        for (int stage = 0; stage < 4; stage++)
        {
            int planes = w << stage;
            for (int block = 0; block < c.VisionLayers[stage]; block++)
            {
                int stride = block == 0 && stage > 0 ? 2 : 1, outH = h / stride;
                macs += (double)h * h * (inplanes * planes + 9.0 * planes * planes)
                    + (double)outH * outH * planes * 4 * planes;
                if (stride > 1 || inplanes != 4 * planes)
                    macs += (double)outH * outH * inplanes * 4 * planes; // shortcut
                (h, inplanes) = (outH, 4 * planes);
            }
        }
        double channels = w * 32, tokens = h * h + 1;
        return macs + 2 * tokens * channels * channels + channels * channels + channels * c.EmbedDim
            + 2 * tokens * channels;
    }

    static double VitMacs(ClipConfig c)
    {
        double width = c.VisionWidth, patch = c.VisionPatchSize!.Value;
        double tokens = Math.Pow(c.ImageResolution / patch, 2) + 1;
        double embed = (tokens - 1) * 3 * patch * patch * width;
        return embed + c.VisionLayers[0] * (tokens * 12 * width * width + 2 * tokens * tokens * width)
            + width * c.EmbedDim;
    }
}
