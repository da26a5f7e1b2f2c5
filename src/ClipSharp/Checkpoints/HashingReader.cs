using System.Security.Cryptography;

namespace ClipSharp.Checkpoints;

/// <summary>Reads a checkpoint once, front to back, hashing every byte it hands out or skips, so the SHA-256 it
/// reports is that of exactly the bytes that were parsed (a file swapped or rewritten meanwhile cannot poison
/// it).</summary>
sealed class HashingReader(Stream stream, string path) : IDisposable
{
    readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public string Path { get; } = path;

    /// <summary>Bytes handed out or skipped so far.</summary>
    public long Position { get; private set; }

    /// <summary>Fills <paramref name="into"/> or throws naming the file as truncated at <paramref name="what"/>.
    /// </summary>
    public void ReadExactly(Span<byte> into, string what)
    {
        int done = 0;
        while (done < into.Length)
        {
            int n = stream.Read(into[done..]);
            if (n == 0)
                throw new CheckpointException($"Checkpoint '{Path}' is truncated: it ends at byte {Position + done} " +
                    $"inside {what}");
            done += n;
        }
        hash.AppendData(into);
        Position += into.Length;
    }

    /// <summary>Reads (and hashes) <paramref name="count"/> bytes nobody needs, e.g. the gaps between tensors.
    /// </summary>
    public void Skip(long count, string what)
    {
        if (count <= 0) return; // e.g. an empty tensor whose offset lies inside the previous one's bytes
        var buffer = new byte[(int)Math.Min(count, 1 << 20)];
        while (count > 0)
        {
            int n = (int)Math.Min(count, buffer.Length);
            ReadExactly(buffer.AsSpan(0, n), what);
            count -= n;
        }
    }

    /// <summary>Hashes whatever is left, however much it is, and returns the lowercase hex SHA-256 of it all.</summary>
    public string Finish()
    {
        var buffer = new byte[1 << 20];
        int n;
        while ((n = stream.Read(buffer)) > 0)
        {
            hash.AppendData(buffer.AsSpan(0, n));
            Position += n;
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    public void Dispose() => hash.Dispose();
}
