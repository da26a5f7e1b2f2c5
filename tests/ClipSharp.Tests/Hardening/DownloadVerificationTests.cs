using ClipSharp.Checkpoints;
using ClipSharp.Modeling;
using ClipSharp.Downloads;
using ClipSharp.Loading;

namespace ClipSharp.Tests.Hardening;

/// <summary>Registered files are checked against their released SHA-256 before use: garbage under a registry name is
/// refused with both hashes and the way out; a verified file is hashed once, then trusted by its stamp while its size
/// and time hold.</summary>
public sealed class DownloadVerificationTests : IDisposable
{
    readonly string weights = Directory.CreateTempSubdirectory("clip-verify-").FullName;

    public void Dispose() => Directory.Delete(weights, true);

    static readonly RegisteredModel Rn50 = ModelRegistry.Find("RN50")!;

    string Garbage(string file = "RN50.pt")
    {
        string path = Path.Combine(weights, file);
        File.WriteAllBytes(path, System.Text.Encoding.ASCII.GetBytes("not a checkpoint at all"));
        return path;
    }

    [Fact]
    public void Garbage_saved_as_RN50_is_refused_before_anything_reads_it()
    {
        string path = Garbage();
        byte[] before = File.ReadAllBytes(path);
        string actual = VerifiedFile.Sha256Of(path);
        var e = Assert.Throws<CheckpointException>(() => ClipModel.Load("RN50", weights));
        Assert.Equal($"'{path}' has SHA-256 {actual}, expected {Rn50.Sha256} (the released RN50.pt): it is damaged " +
            "or another file. Run `clip download RN50 --force` to download it again, or delete it.", e.Message);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.False(File.Exists(VerifiedFile.StampPath(path)));
    }

    [Fact]
    public void Another_model_saved_as_RN50_is_refused_too()
    {
        string path = Path.Combine(weights, "RN50.pt");
        File.Copy(Reference.Model("tiny-rn.pt"), path); // a real, loadable checkpoint: but not the released RN50
        var e = Assert.Throws<CheckpointException>(() => ModelFiles.Resolve("RN50", weights));
        Assert.Contains($"expected {Rn50.Sha256}", e.Message);
    }

    [Fact]
    public void A_forged_stamp_does_not_vouch_for_a_file_of_another_size()
    {
        string path = Garbage();
        File.WriteAllText(VerifiedFile.StampPath(path), $"sha256 {Rn50.Sha256}\nsize 255000000\nmtime 0\n");
        Assert.Throws<CheckpointException>(() => ModelFiles.Resolve("RN50", weights));
        Assert.False(File.Exists(VerifiedFile.StampPath(path))); // a refused file keeps no stamp
    }

    [Fact]
    public void Loading_by_name_trusts_a_matching_stamp_instead_of_hashing_again()
    {
        // The stamp is what a first verification leaves; a matching one (hash, size, time) is trusted as is, which
        // is why this garbage passes: proof that the second use reads the stamp and does not re-hash the file.
        string path = Garbage();
        var info = new FileInfo(path);
        File.WriteAllText(VerifiedFile.StampPath(path),
            $"sha256 {Rn50.Sha256}\nsize {info.Length}\nmtime {info.LastWriteTimeUtc.Ticks}\n");
        Assert.Equal(path, ModelFiles.Resolve("RN50", weights));
        File.SetLastWriteTimeUtc(path, info.LastWriteTimeUtc.AddSeconds(-10)); // now it no longer matches
        Assert.Throws<CheckpointException>(() => ModelFiles.Resolve("RN50", weights));
    }

    [Fact]
    public void A_verified_file_is_hashed_once_and_again_only_when_it_changes()
    {
        string path = Path.Combine(weights, ModelRegistry.Vocabulary.File);
        File.Copy(Reference.Vocab, path);
        string sha = ModelRegistry.Vocabulary.Sha256;
        Assert.True(VerifiedFile.Verify(path, sha, "remedy"));  // hashed
        string stamp = File.ReadAllText(VerifiedFile.StampPath(path));
        Assert.StartsWith($"sha256 {sha}\nsize {new FileInfo(path).Length}\nmtime ", stamp);
        Assert.False(VerifiedFile.Verify(path, sha, "remedy")); // trusted by the stamp
        Assert.False(VerifiedFile.Verify(path, sha, "remedy"));
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(-5)); // touched: the stamp no longer matches
        Assert.True(VerifiedFile.Verify(path, sha, "remedy"));
        Assert.True(VerifiedFile.Verify(path, sha, "remedy", ignoreStamp: true)); // what `clip download` does
    }

    [Fact]
    public void A_file_changed_after_its_stamp_is_caught()
    {
        string path = Path.Combine(weights, ModelRegistry.Vocabulary.File);
        File.Copy(Reference.Vocab, path);
        VerifiedFile.Verify(path, ModelRegistry.Vocabulary.Sha256, "remedy");
        var bytes = File.ReadAllBytes(path);
        bytes[^1] ^= 0xFF; // same size, new time
        File.WriteAllBytes(path, bytes);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddHours(1));
        var e = Assert.Throws<CheckpointException>(
            () => VerifiedFile.Verify(path, ModelRegistry.Vocabulary.Sha256, "remedy"));
        Assert.Contains($"'{path}' has SHA-256", e.Message);
        Assert.EndsWith("remedy", e.Message);
    }

    [Fact]
    public void An_unreadable_stamp_means_hashing_again_not_an_error()
    {
        string path = Path.Combine(weights, ModelRegistry.Vocabulary.File);
        File.Copy(Reference.Vocab, path);
        File.WriteAllBytes(VerifiedFile.StampPath(path), new byte[100_000]);
        Assert.True(VerifiedFile.Verify(path, ModelRegistry.Vocabulary.Sha256, "remedy"));
        Assert.False(VerifiedFile.Verify(path, ModelRegistry.Vocabulary.Sha256, "remedy"));
    }
}
