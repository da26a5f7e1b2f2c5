using System.Diagnostics;
using ClipSharp.Checkpoints;
using ClipSharp.Loading;

namespace ClipSharp.Tests.Hardening;

/// <summary>A registered file's verification reads only a regular file: a FIFO at the weights path must not hang.
/// </summary>
public class VerifiedFileKindTests
{
    [Fact]
    public async Task A_fifo_in_place_of_registered_weights_is_refused_without_blocking()
    {
        string dir = Directory.CreateTempSubdirectory("clip-verified-").FullName;
        try
        {
            string fifo = Path.Combine(dir, "RN50.pt");
            using (var mkfifo = Process.Start("mkfifo", fifo)) mkfifo.WaitForExit();
            var verify = Task.Run(() => VerifiedFile.Verify(fifo, ModelRegistry.Models[0].Sha256, "re-download"));
            Assert.Same(verify, await Task.WhenAny(verify, Task.Delay(TimeSpan.FromSeconds(30))));
            var e = await Assert.ThrowsAsync<CheckpointException>(() => verify);
            Assert.Contains(fifo, e.Message);
            Assert.Contains("FIFO", e.Message);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void A_stamp_that_cannot_be_written_only_means_hashing_again()
    {
        string dir = Directory.CreateTempSubdirectory("clip-verified-").FullName;
        try
        {
            string weights = Path.Combine(dir, "w.pt");
            File.WriteAllBytes(weights, [1, 2, 3]);
            string sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(new byte[] { 1, 2, 3 }));
            Directory.CreateDirectory(VerifiedFile.StampPath(weights)); // no stamp can be written there
            Assert.True(VerifiedFile.Verify(weights, sha, "re-download"));
            Assert.True(VerifiedFile.Verify(weights, sha, "re-download")); // hashed again, no error
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
