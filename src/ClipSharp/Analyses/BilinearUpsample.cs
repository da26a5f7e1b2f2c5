namespace ClipSharp.Analyses;

/// <summary>Bilinear resizing of a square map with pixel-centre alignment and clamped edges: the convention of
/// PyTorch's <c>interpolate(mode="bilinear", align_corners=False)</c> and OpenCV's <c>resize</c>, which Grad-CAM
/// implementations use to lay a map over its image.</summary>
internal static class BilinearUpsample
{
    /// <summary>A row-major [grid, grid] map resized to [size, size].</summary>
    public static float[] Resize(float[] map, int grid, int size)
    {
        if (grid < 1 || size < 1 || map.Length != grid * grid)
            throw new ArgumentException(
                $"Expected a {grid}×{grid} map and a positive size; got {map.Length} values, size {size}");
        var (index0, index1, weight1) = Taps(grid, size);
        var result = new float[size * size];
        for (int y = 0; y < size; y++)
        {
            int top = index0[y] * grid, bottom = index1[y] * grid;
            float wy = weight1[y];
            for (int x = 0; x < size; x++)
            {
                int left = index0[x], right = index1[x];
                float wx = weight1[x];
                float upper = map[top + left] * (1 - wx) + map[top + right] * wx;
                float lower = map[bottom + left] * (1 - wx) + map[bottom + right] * wx;
                result[y * size + x] = upper * (1 - wy) + lower * wy;
            }
        }
        return result;
    }

    /// <summary>For each output coordinate: the two source cells and the second one's weight. The output pixel's
    /// centre (i + ½) maps to source position (i + ½)·grid/size − ½, clamped at 0 on the low side.</summary>
    static (int[] Index0, int[] Index1, float[] Weight1) Taps(int grid, int size)
    {
        var (i0, i1, w1) = (new int[size], new int[size], new float[size]);
        float scale = (float)grid / size;
        for (int i = 0; i < size; i++)
        {
            float source = Math.Max((i + 0.5f) * scale - 0.5f, 0);
            i0[i] = Math.Min((int)source, grid - 1);
            i1[i] = Math.Min(i0[i] + 1, grid - 1);
            w1[i] = source - i0[i];
        }
        return (i0, i1, w1);
    }
}
