using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace ClipSharp.Checkpoints;

/// <summary>Reads a checkpoint once, front to back, hashing every byte it hands out or skips, so the SHA-256 it
/// reports is that of exactly the bytes that were parsed (a file swapped or rewritten meanwhile cannot poison
/// it). Bytes read into memory that stays put (a new tensor's, a whole-file array) are hashed on another thread
/// while the next ones are read; everything else waits for that and is hashed in order.</summary>
sealed class HashingReader(Stream stream, string path) : IDisposable
{
    readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    Task pending = Task.CompletedTask; // the hashing handed to another thread, in file order

    public string Path { get; } = path;

    /// <summary>Bytes handed out or skipped so far.</summary>
    public long Position { get; private set; }

    /// <summary>Fills <paramref name="into"/> or throws naming the file as truncated at <paramref name="what"/>.
    /// </summary>
    public void ReadExactly(Span<byte> into, string what)
    {
        Fill(into, what);
        WaitForHashing();
        hash.AppendData(into);
    }

    /// <summary>As <see cref="ReadExactly"/> into native memory (a new tensor's) that neither moves nor changes nor
    /// is freed before <see cref="Finish"/> or <see cref="WaitForHashing"/>: hashed on another thread meanwhile.
    /// </summary>
    public unsafe void ReadExactlyIntoNative(Span<byte> into, string what)
    {
        try { Fill(into, what); }
        catch
        {
            WaitForHashing(); // the caller frees the memory of earlier chunks once this throws
            throw;
        }
        var start = (IntPtr)Unsafe.AsPointer(ref MemoryMarshal.GetReference(into));
        int length = into.Length;
        HashLater(() => hash.AppendData(new ReadOnlySpan<byte>((void*)start, length)));
    }

    /// <summary>As <see cref="ReadExactly"/> into the whole of <paramref name="into"/>, which the caller must not
    /// change: hashed on another thread while the caller parses it.</summary>
    public void ReadExactlyInBackground(byte[] into, string what)
    {
        Fill(into, what);
        HashLater(() => hash.AppendData(into));
    }

    void HashLater(Action step) => pending = pending.ContinueWith(_ => step(), TaskScheduler.Default);

    void Fill(Span<byte> into, string what)
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
        Position += into.Length;
    }

    /// <summary>Returns once the memory handed to the other thread is no longer read: call it before freeing that
    /// memory on an error.</summary>
    public void WaitForHashing()
    {
        try { pending.Wait(); }
        catch (AggregateException) { } // the hash is then wrong, and nobody asks for it: the read has failed
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
        pending.Wait(); // a failure of the other thread surfaces here
        var buffer = new byte[1 << 20];
        int n;
        while ((n = stream.Read(buffer)) > 0)
        {
            hash.AppendData(buffer.AsSpan(0, n));
            Position += n;
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    public void Dispose()
    {
        WaitForHashing();
        hash.Dispose();
    }
}
