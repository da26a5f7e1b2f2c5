namespace ClipSharp.Tests.Hardening;

/// <summary>Seeded mutations of a file's bytes, as a fuzzer makes them: bit flips, truncations, inserted and repeated
/// chunks, inserted tokens, and words or format-specific header fields set to extreme values.</summary>
sealed class Mutator(Random random, IReadOnlyList<byte[]> tokens, Func<byte[], Random, byte[]?>? headerField = null)
{
    static readonly uint[] Extremes = [0, 1, 2, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 25000, 100000, 0x7FFFFFFF,
        0x80000000, 0xFFFFFFFF];

    public static uint Extreme(Random random) => Extremes[random.Next(Extremes.Length)];

    /// <summary>One to three mutations of <paramref name="original"/> (never changed itself).</summary>
    public byte[] Mutate(byte[] original)
    {
        var data = new List<byte>(original);
        int count = random.Next(1, 4);
        for (int m = 0; m < count; m++)
        {
            int at = random.Next(data.Count + 1);
            switch (random.Next(7))
            {
                case 0: // bit flips
                    for (int b = random.Next(1, 9); b > 0 && data.Count > 0; b--)
                    {
                        int i = random.Next(data.Count);
                        data[i] ^= (byte)(1 << random.Next(8));
                    }
                    break;
                case 1: // truncation
                    data.RemoveRange(at, data.Count - at);
                    break;
                case 2: // random chunk
                    var chunk = new byte[random.Next(1, 65)];
                    random.NextBytes(chunk);
                    data.InsertRange(at, chunk);
                    break;
                case 3: // a repeated slice of the file
                    if (data.Count == 0) break;
                    int from = random.Next(data.Count), length = random.Next(1, Math.Min(256, data.Count - from) + 1);
                    var slice = data.GetRange(from, length);
                    for (int r = random.Next(1, 5); r > 0; r--) data.InsertRange(at, slice);
                    break;
                case 4: // a token
                    data.InsertRange(at, tokens[random.Next(tokens.Count)]);
                    break;
                case 5: // a 16- or 32-bit word set to an extreme, either byte order
                    uint value = Extreme(random);
                    int width = random.Next(2) == 0 ? 2 : 4;
                    if (data.Count < width) break;
                    int o = random.Next(data.Count - width + 1);
                    bool big = random.Next(2) == 0;
                    for (int k = 0; k < width; k++) data[o + k] = (byte)(value >> (8 * (big ? width - 1 - k : k)));
                    break;
                default: // a header field of the format
                    if (headerField?.Invoke([.. data], random) is { } changed) { data.Clear(); data.AddRange(changed); }
                    break;
            }
        }
        return [.. data];
    }
}
