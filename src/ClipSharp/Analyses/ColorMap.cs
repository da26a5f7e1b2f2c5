namespace ClipSharp.Analyses;

/// <summary>The "jet" colour map (blue → cyan → yellow → red) that Grad-CAM figures conventionally use.</summary>
internal static class ColorMap
{
    /// <summary>The RGB colour of <paramref name="value"/> in [0, 1] (clamped; NaN counts as 0).</summary>
    public static (byte R, byte G, byte B) Jet(float value)
    {
        float v = float.IsNaN(value) ? 0 : Math.Clamp(value, 0, 1);
        // Each channel is a trapezoid: 0 until its ramp starts, 1 on its plateau, 0 after its fall (width ¼ each).
        static byte Channel(float v, float centre) =>
            (byte)Math.Round(255 * Math.Clamp(1.5f - Math.Abs(4 * v - centre), 0, 1));
        return (Channel(v, 3), Channel(v, 2), Channel(v, 1));
    }
}
