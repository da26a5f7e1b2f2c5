using System.Diagnostics;
using ClipSharp.Checkpoints;

namespace ClipSharp.Tests.Hardening;

/// <summary>A registered file's verification reads only a regular file: a FIFO at the weights path must not hang.</summary>
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
}
